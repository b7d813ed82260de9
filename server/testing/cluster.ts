/**
 * Clusters for tests: a real redis-server (one per test, its own directory,
 * AOF on), Swift's S3 API (one per test file: it takes seconds to start; each
 * test gets its own bucket) and nodes running the real app in this process.
 * Every resource registers its own cleanup.
 */
import { after, type TestContext } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { requireDebianTool } from '../ops/debian-tool.ts';
import { makeCertificate } from '../ops/certificate.ts';
import { haproxyConfig, startHaproxy, type HaproxyPorts } from '../ops/haproxy.ts';
import { freePort, waitUntil } from '../ops/process.ts';
import { startRedis, type RedisServer } from '../ops/redis-server.ts';
import { prepareSwift, startSwift, swiftS3Config, SWIFT_CREDENTIALS, SWIFT_PACKAGES, SWIFT_PROXY_COMMAND, type SwiftServer } from '../ops/swift-server.ts';
import { ObjectStore } from '../store/redis-s3/object-store.ts';
import { PROJECT_ROOT, startServer, tempDir, type TestServer } from './harness.ts';
import { spawnServer, type ServerProcess } from './server-process.ts';

const redisTool = requireDebianTool('redis-server', 'redis-server', '/usr/bin/redis-server');
const swiftTool = requireDebianTool(SWIFT_PROXY_COMMAND, SWIFT_PACKAGES, `/usr/bin/${SWIFT_PROXY_COMMAND}`);
const haproxyTool = requireDebianTool('haproxy', 'haproxy', '/usr/sbin/haproxy');
const opensslTool = requireDebianTool('openssl', 'openssl', '/usr/bin/openssl');

/** Why cluster tests cannot run here (outside CI, where a missing tool fails instead), or false. */
export const clusterSkip: string | false =
  [redisTool, swiftTool, haproxyTool, opensslTool].map((tool) => 'skip' in tool && tool.skip).find(Boolean) || false;

export function redisBinary(): string {
  if (!('path' in redisTool)) throw new Error('redis-server is not installed');
  return redisTool.path;
}

/** A redis-server of the test's own, on a free port, stopped after it. */
export async function startTestRedis(t: TestContext, dir?: string, port?: number): Promise<RedisServer> {
  const redis = await startRedis(redisBinary(), port ?? (await freePort()), dir ?? (await tempDir(t)));
  t.after(() => redis.stop('SIGKILL'));
  return redis;
}

let swift: Promise<{ server: SwiftServer; dir: string }> | undefined;

// Registered when the test file loads, so it runs once all of the file's tests are done.
after(async () => {
  const started = await swift?.catch(() => undefined);
  if (!started) return;
  await started.server.stop('SIGKILL');
  await rm(started.dir, { recursive: true, force: true });
});

/** The test file's Swift, started on first use and stopped when the file's tests are done. */
export async function fileSwift(): Promise<SwiftServer> {
  swift ??= (async () => {
    // Its four ports are picked free, then bound a moment later: another test may take one meanwhile, so try twice.
    for (let attempt = 1; ; attempt++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-swift-'));
      const ports = { proxy: await freePort(), account: await freePort(), container: await freePort(), object: await freePort() };
      try {
        await prepareSwift(dir, ports);
        return { server: await startSwift(dir, ports), dir };
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        if (attempt >= 2) throw error;
      }
    }
  })();
  return (await swift).server;
}

/** A bucket of the test's own on the file's Swift; resolves once the object servers accept writes. */
export async function testBucket(): Promise<{ endpoint: string; bucket: string }> {
  const swift = await fileSwift();
  const { endpoint } = swift;
  const bucket = `st-${randomBytes(6).toString('hex')}`;
  const objects = new ObjectStore(swiftS3Config(endpoint, bucket));
  try {
    // Right after start-up the account and container servers may not answer yet.
    await waitUntil(() => objects.ensureBucket().then(() => true), 30_000, () => `a bucket on Swift at ${endpoint}: ${swift.output()}`);
  } finally {
    objects.close();
  }
  return { endpoint, bucket };
}

export interface TestCluster {
  redis: RedisServer;
  /** Where the nodes find the object store (S3_ENDPOINT). */
  s3Endpoint: string;
  /** The environment every node of this cluster runs with (NODE_ID aside). */
  env: Record<string, string>;
  /** Starts a node of this cluster in this process, on a free port. */
  node(t: TestContext, nodeId: string, env?: Record<string, string>): Promise<TestServer>;
  /** Starts a node as its own process (server/main.ts), for kill -9 and SIGSTOP. */
  nodeProcess(t: TestContext, nodeId: string, env?: Record<string, string>): Promise<ServerProcess>;
}

/**
 * A cluster's Redis and bucket, and nodes started on demand. `via` puts a
 * proxy (a fault-proxy.ts port) between the nodes and Redis or Swift.
 */
export async function startTestCluster(
  t: TestContext,
  env: Record<string, string> = {},
  via: { redisPort?: (port: number) => Promise<number>; s3Port?: (port: number) => Promise<number> } = {},
): Promise<TestCluster> {
  const nodes: TestServer[] = [];
  // Registered first, so it runs first: the nodes close while Redis still answers.
  t.after(() => Promise.all(nodes.map((node) => node.app.close())));
  const redis = await startTestRedis(t);
  const { endpoint: direct, bucket } = await testBucket();
  const redisPort = via.redisPort ? await via.redisPort(redis.port) : redis.port;
  const endpoint = via.s3Port ? `http://127.0.0.1:${await via.s3Port(Number(new URL(direct).port))}` : direct;
  const clusterEnv = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    AWS_ACCESS_KEY_ID: SWIFT_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SWIFT_CREDENTIALS.secretAccessKey,
    // Found dead within a second or two, so tests of it stay short.
    NODE_TIMEOUT: '1500ms',
    // Nodes close without waiting for a proxy to notice (tests of draining set it).
    DRAIN_TIMEOUT: '0',
    ...env,
  };
  return {
    redis,
    s3Endpoint: endpoint,
    env: clusterEnv,
    node: async (test, nodeId, extra = {}) => {
      const node = await startServer(test, { ...clusterEnv, NODE_ID: nodeId, ...extra });
      nodes.push(node);
      return node;
    },
    nodeProcess: async (test, nodeId, extra = {}) =>
      spawnServer(test, { LOG_LEVEL: 'error', ...clusterEnv, NODE_ID: nodeId, DATA_DIR: await tempDir(test), ...extra }),
  };
}

export interface TestProxy {
  url: string;
  /** The TLS front end's URL (self-signed certificate). */
  httpsUrl: string;
  ports: HaproxyPorts;
  /** What HAProxy logged (its request log), for when a test fails. */
  output(): string;
}

/** The shipped haproxy.cfg in front of `nodes` (name -> server), on free ports, with a fresh certificate. */
export async function startTestHaproxy(t: TestContext, nodes: Record<string, { port: number }>): Promise<TestProxy> {
  if (!('path' in haproxyTool) || !('path' in opensslTool)) throw new Error('haproxy and openssl are needed');
  const dir = await tempDir(t);
  const certificate = path.join(dir, 'haproxy.pem');
  await makeCertificate(certificate, opensslTool.path);
  const ports: HaproxyPorts = { http: await freePort(), https: await freePort(), stats: await freePort(), runtime: await freePort() };
  const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
  const config = haproxyConfig(shipped, { ports, certificate, nodes: Object.entries(nodes).map(([name, node]) => ({ name, port: node.port })) });
  const configPath = path.join(dir, 'haproxy.cfg');
  await writeFile(configPath, config);
  const proxy = await startHaproxy(haproxyTool.path, configPath, ports, Object.keys(nodes));
  t.after(() => proxy.stop('SIGKILL'));
  return { url: `http://127.0.0.1:${ports.http}`, httpsUrl: `https://127.0.0.1:${ports.https}`, ports, output: () => proxy.output() };
}
