/**
 * The cluster bench/cluster.ts measures: redis-server, Swift's S3 API and
 * N ShareThings nodes (each its own process, configured like production),
 * behind the shipped haproxy.cfg; all on 127.0.0.1. The same launchers
 * `make cluster` and the tests use (server/ops/).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { requireDebianTool } from '../../server/ops/debian-tool.ts';
import { haproxyConfig, startHaproxy } from '../../server/ops/haproxy.ts';
import { freePort, waitUntil, type Started } from '../../server/ops/process.ts';
import { startRedis, type RedisServer } from '../../server/ops/redis-server.ts';
import { prepareSwift, startSwift, swiftS3Config, SWIFT_CREDENTIALS, SWIFT_PACKAGES, SWIFT_PROXY_COMMAND, type SwiftServer } from '../../server/ops/swift-server.ts';
import { ObjectStore } from '../../server/store/redis-s3/object-store.ts';
import { MANY_CLIENTS_ENV } from '../lib/load.ts';
import { PROJECT_ROOT } from '../lib/proc.ts';
import { startShareThings, type ServerHandle } from '../lib/servers.ts';

export interface ClusterInfra {
  nodes: ServerHandle[];
  /** The object store alone: MB/s of `size` bytes PUT in `chunk`-sized objects, `window` at a time (the ceiling of a stored transfer). */
  objectStoreMBps(size: number, chunk: number, window: number): Promise<number>;
  /** HAProxy's front end in front of every node. */
  proxyUrl: string;
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

export async function startClusterInfra(nodeCount: number, log: (line: string) => void): Promise<ClusterInfra> {
  const redisBinary = tool('redis-server', 'redis-server', '/usr/bin/redis-server');
  const haproxyBinary = tool('haproxy', 'haproxy', '/usr/sbin/haproxy');
  tool(SWIFT_PROXY_COMMAND, SWIFT_PACKAGES, `/usr/bin/${SWIFT_PROXY_COMMAND}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-cluster-'));
  const stoppable: Array<{ stop(): Promise<unknown> }> = [];
  const stop = async () => {
    for (const piece of stoppable.reverse()) await piece.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const redis: RedisServer = await startRedis(redisBinary, await freePort(), path.join(dir, 'redis'));
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

    const nodes: ServerHandle[] = [];
    for (let index = 1; index <= nodeCount; index++) {
      const node = await startShareThings({
        label: `node${index}`,
        env: {
          ...MANY_CLIENTS_ENV,
          NODE_ID: `node${index}`,
          REDIS_URL: redis.url,
          S3_ENDPOINT: swift.endpoint,
          S3_BUCKET: s3.bucket,
          AWS_ACCESS_KEY_ID: SWIFT_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SWIFT_CREDENTIALS.secretAccessKey,
          DRAIN_TIMEOUT: '0',
        },
      });
      nodes.push(node);
      stoppable.push(node);
    }

    const proxyPorts = { http: await freePort(), stats: await freePort(), runtime: await freePort() };
    const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
    const configPath = path.join(dir, 'haproxy.cfg');
    await writeFile(configPath, haproxyConfig(shipped, { ports: proxyPorts, nodes: nodes.map((node, i) => ({ name: `node${i + 1}`, port: node.port })) }));
    const proxy: Started = await startHaproxy(haproxyBinary, configPath, proxyPorts, nodes.map((_, i) => `node${i + 1}`));
    stoppable.push({ stop: () => proxy.stop('SIGKILL') });

    const stats = new Redis(redis.url, { lazyConnect: true });
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
      objectStoreMBps,
      proxyUrl: `http://127.0.0.1:${proxyPorts.http}`,
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
