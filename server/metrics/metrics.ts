/**
 * Prometheus metrics for operators: process figures, connections, sessions,
 * uploads, requests per event, errors per code, bytes relayed. Labels are
 * event names and error codes only, never ids or content.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  connections(): number;
  activeSessions(): number;
  storedSessions(): number;
  uploads(): number;
}

export class Metrics {
  private readonly registry = new Registry();
  private readonly requests: Counter<'event'>;
  private readonly errors: Counter<'code'>;
  private readonly relayedBytes: Counter;
  private readonly deferred: Counter;

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sharethings_' });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
    gauge('sharethings_connections', 'Connected Socket.IO clients', sources.connections);
    gauge('sharethings_sessions_active', 'Sessions with at least one member connected to this node', sources.activeSessions);
    gauge('sharethings_sessions_stored', 'Sessions held by the store', sources.storedSessions);
    gauge('sharethings_uploads_in_progress', 'Unfinished uploads', sources.uploads);
    this.requests = new Counter({ name: 'sharethings_requests_total', help: 'Requests by event', labelNames: ['event'], registers: [this.registry] });
    this.errors = new Counter({ name: 'sharethings_errors_total', help: 'Failed requests by error code', labelNames: ['code'], registers: [this.registry] });
    this.deferred = new Counter({ name: 'sharethings_chunks_deferred_total', help: 'Chunks not pushed to a slow receiver (fetched from the store instead)', registers: [this.registry] });
    this.relayedBytes = new Counter({ name: 'sharethings_chunk_bytes_total', help: 'Ciphertext bytes received in chunks', registers: [this.registry] });
  }

  request(event: string): void {
    this.requests.inc({ event });
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
