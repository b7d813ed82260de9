/**
 * What a failover run stands up: N nodes behind the shipped haproxy.cfg,
 * either ShareThings nodes (with Redis and Swift, cluster/infra.ts) or, as
 * the baseline, bare Socket.IO servers (reconnect/bare-server.ts: join a
 * room, nothing stored), so the baseline pays the same HAProxy health checks
 * and client backoff and nothing else. Faults: a node killed (kill -9) or
 * drained (SIGTERM), a node started again, Redis restarted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startClusterInfra, startProxy, type ClusterInfra, type Proxy } from '../cluster/infra.ts';
import type { ReconnectVariant } from '../reconnect/common.ts';
import { startTsServer, type ServerHandle } from '../lib/servers.ts';

export interface FailoverTarget {
  /** HAProxy's front end. */
  url: string;
  nodeUrl(index: number): string;
  /** The node with the most connections (the one whose failure moves the most clients). */
  busiestNode(): Promise<number>;
  /** kill -9; resolves once HAProxy has marked it down. */
  kill(index: number): Promise<void>;
  /** SIGTERM (a ShareThings node drains: it waits for HAProxy to see it unready); resolves once it has exited. */
  drain(index: number): Promise<void>;
  /** Starts a stopped node again; resolves once HAProxy has it up. */
  revive(index: number): Promise<void>;
  /** ShareThings only: see ClusterInfra. */
  redis?: Pick<ClusterInfra, 'killRedis' | 'startRedis'>;
  stop(): Promise<void>;
}

async function connectionsOf(url: string): Promise<number> {
  try {
    return ((await (await fetch(`${url}/healthz`)).json()) as { connections: number }).connections;
  } catch {
    return -1; // stopped
  }
}

function common(nodes: () => ServerHandle[], proxy: Proxy) {
  return {
    url: proxy.url,
    nodeUrl: (index: number) => nodes()[index]!.url,
    async busiestNode() {
      const counts = await Promise.all(nodes().map((node) => connectionsOf(node.url)));
      return counts.indexOf(Math.max(...counts));
    },
    async kill(index: number) {
      await nodes()[index]!.child.stop(1_000, 'SIGKILL');
      await proxy.waitFor(`node${index + 1}`, 'DOWN');
    },
    async drain(index: number) {
      await nodes()[index]!.child.stop(30_000, 'SIGTERM');
    },
  };
}

export async function startFailoverTarget(variant: ReconnectVariant, nodeCount: number, log: (line: string) => void): Promise<FailoverTarget> {
  if (variant === 'sdk') {
    // Drains like production: the node waits (up to 5 s) for HAProxy to see it unready.
    const cluster: ClusterInfra = await startClusterInfra(nodeCount, log, { nodeEnv: { DRAIN_TIMEOUT: '5s' } });
    return {
      ...common(() => cluster.nodes, cluster.proxy),
      revive: async (index) => void (await cluster.restartNode(index)),
      redis: cluster,
      stop: () => cluster.stop(),
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-failover-'));
  const start = (index: number) => startTsServer('bench/reconnect/bare-server.ts', { label: `bare node${index + 1}`, options: { port: 0 } });
  const nodes: ServerHandle[] = [];
  let proxy: Proxy | undefined;
  const stop = async () => {
    await proxy?.stop();
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < nodeCount; index++) nodes.push(await start(index));
    proxy = await startProxy(dir, nodes.map((node, i) => ({ name: `node${i + 1}`, port: node.port })));
  } catch (error) {
    await stop();
    throw error;
  }
  const started = proxy;
  return {
    ...common(() => nodes, started),
    async revive(index) {
      nodes[index] = await start(index);
      await started.moveNode(`node${index + 1}`, nodes[index]!.port);
    },
    stop,
  };
}
