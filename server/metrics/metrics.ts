/**
 * Prometheus metrics for operators: process figures, connections, sessions,
 * uploads, requests per event, errors per code, bytes relayed. Labels are
 * event names, error codes and the node's id only, never ids of sessions or
 * content.
 *
 * Every series carries `node` (NODE_ID). Figures of this node have
 * `scope="node"` and add up across nodes; figures of the whole cluster (read
 * from the shared store, the same on every node) have `scope="cluster"`:
 * take their max, not their sum.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  connections(): number;
  activeSessions(): number;
  storedSessions(): number | Promise<number>;
  uploads(): number;
}

export class Metrics {
  private readonly registry = new Registry();
  private readonly requests: Counter<'event'>;
  private readonly errors: Counter<'code'>;
  private readonly relayedBytes: Counter;
  private readonly deferred: Counter;
  /**
   * Requests per event, counted in a plain map and handed to prom-client when
   * scraped: `Counter.inc({ event })` hashes and validates its labels on every
   * call, and `request()` runs for every chunk.
   */
  private readonly requestCounts = new Map<string, number>();

  constructor(sources: MetricSources, nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry, prefix: 'sharethings_' });
    const gauge = (name: string, help: string, scope: 'node' | 'cluster', read: () => number | Promise<number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['scope'],
        registers: [this.registry],
        async collect() {
          // A figure that cannot be read now (the store is unreachable) is left out rather than wrong.
          const value = await Promise.resolve().then(read).catch(() => undefined);
          this.reset();
          if (value !== undefined) this.set({ scope }, value);
        },
      });
    gauge('sharethings_connections', 'Socket.IO clients connected to this node', 'node', sources.connections);
    gauge('sharethings_sessions_active', 'Sessions with at least one member connected to this node', 'node', sources.activeSessions);
    gauge('sharethings_sessions_stored', 'Sessions held by the store (cluster-wide: the same on every node)', 'cluster', sources.storedSessions);
    gauge('sharethings_uploads_in_progress', 'Unfinished uploads whose sender is connected to this node', 'node', sources.uploads);
    const requestCounts = this.requestCounts;
    this.requests = new Counter({
      name: 'sharethings_requests_total',
      help: 'Requests by event',
      labelNames: ['event'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [event, count] of requestCounts) this.inc({ event }, count);
      },
    });
    this.errors = new Counter({ name: 'sharethings_errors_total', help: 'Failed requests by error code', labelNames: ['code'], registers: [this.registry] });
    this.deferred = new Counter({ name: 'sharethings_chunks_deferred_total', help: 'Chunks not pushed to a slow receiver (fetched from the store instead)', registers: [this.registry] });
    this.relayedBytes = new Counter({ name: 'sharethings_chunk_bytes_total', help: 'Ciphertext bytes received in chunks', registers: [this.registry] });
  }

  request(event: string): void {
    this.requestCounts.set(event, (this.requestCounts.get(event) ?? 0) + 1);
  }

  error(code: string): void {
    this.errors.inc({ code });
  }

  chunkBytes(bytes: number): void {
    this.relayedBytes.inc(bytes);
  }

  deferredChunks(count: number): void {
    this.deferred.inc(count);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
