/**
 * The cluster bench/cluster.ts and bench/failover.ts measure: redis-server,
 * Swift's S3 API and N ShareThings nodes (each its own process, configured
 * like production), behind the shipped haproxy.cfg; all on 127.0.0.1. The
 * same launchers `make cluster` and the tests use (server/ops/). Nodes can be
 * killed and started again, and Redis restarted on its AOF, for failover runs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { requireDebianTool } from '../../server/ops/debian-tool.ts';
import { haproxyCommand, haproxyConfig, serverStates, startHaproxy } from '../../server/ops/haproxy.ts';
import { freePort, waitUntil, type Started } from '../../server/ops/process.ts';
import { startRedis, type RedisServer } from '../../server/ops/redis-server.ts';
import { prepareSwift, startSwift, swiftS3Config, SWIFT_CREDENTIALS, SWIFT_PACKAGES, SWIFT_PROXY_COMMAND, type SwiftServer } from '../../server/ops/swift-server.ts';
import { ObjectStore } from '../../server/store/redis-s3/object-store.ts';
import { MANY_CLIENTS_ENV } from '../lib/load.ts';
import { nowNs } from '../lib/child.ts';
import { PROJECT_ROOT } from '../lib/proc.ts';
import { startShareThings, type ServerHandle } from '../lib/servers.ts';

export interface ClusterInfra {
  /** node1, node2...; a node stopped by a failover run stays in the list, replaced when started again. */
  nodes: ServerHandle[];
  /** Starts node `index` (0-based) again, on a new port that HAProxy is told about; resolves once HAProxy has it up. */
  restartNode(index: number): Promise<ServerHandle>;
  /** kill -9 of redis-server. */
  killRedis(): Promise<void>;
  /** Starts it again on the same port and AOF; resolves (CLOCK_MONOTONIC ns) once it answers PING. */
  startRedis(): Promise<number>;
  proxy: Proxy;
  /** The object store alone: MB/s of `size` bytes PUT in `chunk`-sized objects, `window` at a time (the ceiling of a stored transfer). */
  objectStoreMBps(size: number, chunk: number, window: number): Promise<number>;
  swift: SwiftServer;
  /** Bytes Redis has sent to its clients so far (INFO stats: the pub/sub relay of broadcasts between nodes, mostly). */
  redisBytesOut(): Promise<number>;
  /** The same, received. */
  redisBytesIn(): Promise<number>;
  stop(): Promise<void>;
}

function tool(command: string, pkg: string | string[], knownPath: string): string {
  const found = requireDebianTool(command, pkg, knownPath);
  if ('path' in found) return found.path;
  throw new Error(`the cluster benchmark needs ${command}: ${found.skip}`);
}

/** HAProxy (the shipped haproxy.cfg) in front of some nodes. */
export interface Proxy {
  url: string;
  /** Waits until HAProxy sees `node` in `state` (UP, DOWN, ...). */
  waitFor(node: string, state: string, timeoutMs?: number): Promise<void>;
  /** Points `node` at another port (a node started again) and waits until HAProxy has it up. */
  moveNode(node: string, port: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxy(dir: string, nodes: Array<{ name: string; port: number }>): Promise<Proxy> {
  const binary = tool('haproxy', 'haproxy', '/usr/sbin/haproxy');
  const ports = { http: await freePort(), stats: await freePort(), runtime: await freePort() };
  const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
  const configPath = path.join(dir, 'haproxy.cfg');
  await writeFile(configPath, haproxyConfig(shipped, { ports, nodes }));
  const started: Started = await startHaproxy(binary, configPath, ports, nodes.map(({ name }) => name));
  const waitFor = (node: string, state: string, timeoutMs = 20_000) =>
    waitUntil(async () => (await serverStates(ports.runtime)).get(node) === state, timeoutMs, () => `haproxy to see ${node} ${state}`);
  return {
    url: `http://127.0.0.1:${ports.http}`,
    waitFor,
    async moveNode(node, port) {
      await haproxyCommand(ports.runtime, `set server sharethings_nodes/${node} addr 127.0.0.1 port ${port}`);
      await waitFor(node, 'UP');
    },
    stop: () => started.stop('SIGKILL'),
  };
}

export async function startClusterInfra(nodeCount: number, log: (line: string) => void, options: { nodeEnv?: Record<string, string> } = {}): Promise<ClusterInfra> {
  const redisBinary = tool('redis-server', 'redis-server', '/usr/bin/redis-server');
  tool(SWIFT_PROXY_COMMAND, SWIFT_PACKAGES, `/usr/bin/${SWIFT_PROXY_COMMAND}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-cluster-'));
  const stoppable: Array<{ stop(): Promise<unknown> }> = [];
  const stop = async () => {
    for (const piece of stoppable.reverse()) await piece.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let redis: RedisServer = await startRedis(redisBinary, await freePort(), path.join(dir, 'redis'));
    stoppable.push({ stop: () => redis.stop('SIGKILL') });
    const ports = { proxy: await freePort(), account: await freePort(), container: await freePort(), object: await freePort() };
    await prepareSwift(path.join(dir, 'swift'), ports);
    const swift = await startSwift(path.join(dir, 'swift'), ports);
    stoppable.push({ stop: () => swift.stop('SIGKILL') });
    const s3 = swiftS3Config(swift.endpoint, 'bench');
    const objects = new ObjectStore(s3);
    await waitUntil(() => objects.ensureBucket().then(() => true), 30_000, () => 'a bucket on Swift');
    objects.close();
    log(`cluster: redis :${redis.port}, swift ${swift.endpoint}`);

    const startNode = (index: number) =>
      startShareThings({
        label: `node${index + 1}`,
        env: {
          ...MANY_CLIENTS_ENV,
          NODE_ID: `node${index + 1}`,
          REDIS_URL: redis.url,
          S3_ENDPOINT: swift.endpoint,
          S3_BUCKET: s3.bucket,
          AWS_ACCESS_KEY_ID: SWIFT_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SWIFT_CREDENTIALS.secretAccessKey,
          DRAIN_TIMEOUT: '0',
          ...options.nodeEnv,
        },
      });
    const nodes: ServerHandle[] = [];
    // Stopped last to first, whichever process is the node's current one.
    for (let index = 0; index < nodeCount; index++) {
      nodes.push(await startNode(index));
      stoppable.push({ stop: () => nodes[index]!.stop() });
    }
    const proxy = await startProxy(dir, nodes.map((node, i) => ({ name: `node${i + 1}`, port: node.port })));
    stoppable.push(proxy);

    const stats = new Redis(redis.url, { lazyConnect: true });
    stats.on('error', () => undefined); // Redis restarted by a failover run: it reconnects
    await stats.connect();
    stoppable.push({ stop: () => stats.quit() });
    const infoField = async (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(await stats.info('stats'))?.[1] ?? NaN);
    const objectStoreMBps = async (size: number, chunk: number, window: number) => {
      const store = new ObjectStore(s3);
      const body = new Uint8Array(chunk).fill(7);
      const count = Math.ceil(size / chunk);
      const prefix = `ceiling-${Date.now()}/`;
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: window }, async () => {
        while (next < count) await store.put(`${prefix}${next++}`, body);
      }));
      const seconds = (performance.now() - started) / 1000;
      await store.deletePrefix(prefix);
      store.close();
      return (count * chunk) / seconds / 1e6;
    };
    return {
      nodes,
      async restartNode(index) {
        await nodes[index]!.stop();
        nodes[index] = await startNode(index);
        await proxy.moveNode(`node${index + 1}`, nodes[index]!.port);
        return nodes[index]!;
      },
      killRedis: () => redis.stop('SIGKILL'),
      async startRedis() {
        redis = await startRedis(redisBinary, redis.port, redis.dir);
        return nowNs();
      },
      proxy,
      objectStoreMBps,
      swift,
      redisBytesOut: () => infoField('total_net_output_bytes'),
      redisBytesIn: () => infoField('total_net_input_bytes'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
