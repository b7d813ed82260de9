/**
 * `make cluster`: Redis, Swift's S3 API, three nodes and HAProxy on
 * loopback, as haproxy.cfg describes them, each in the background with its
 * log in run/cluster/logs. Installs the Debian packages it needs when run as
 * root. Prints the URL; `make cluster-stop` ends exactly these processes.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../node-flags.ts';
import { ObjectStore } from '../store/redis-s3/object-store.ts';
import { ensureCertificate } from './certificate.ts';
import { requireDebianTool } from './debian-tool.ts';
import { startHaproxy } from './haproxy.ts';
import { commandLine, localClusterLayout, readRecord, stillOurs, writeRecord, type Recorded } from './local-cluster.ts';
import { startProcess, waitUntil, type Started } from './process.ts';
import { startRedis } from './redis-server.ts';
import { prepareSwift, startSwift, swiftS3Config, SWIFT_CREDENTIALS, SWIFT_PACKAGES, SWIFT_PROXY_COMMAND } from './swift-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const layout = localClusterLayout(root);

function tool(command: string, pkg: string | string[], knownPath: string): string {
  const found = requireDebianTool(command, pkg, knownPath);
  if ('path' in found) return found.path;
  process.stderr.write(`make cluster needs ${command}: ${found.skip.replace(/^SKIPPED: /, '')}\n`);
  process.exit(1);
}

const running = await readRecord(layout);
if (running.length > 0 && running.every(stillOurs)) {
  process.stdout.write(`The cluster is already running at http://localhost:${layout.httpPort} (make cluster-stop ends it)\n`);
  process.exit(0);
}

const redisBinary = tool('redis-server', 'redis-server', '/usr/bin/redis-server');
const haproxyBinary = tool('haproxy', 'haproxy', '/usr/sbin/haproxy');
tool(SWIFT_PROXY_COMMAND, SWIFT_PACKAGES, `/usr/bin/${SWIFT_PROXY_COMMAND}`);
const openssl = tool('openssl', 'openssl', '/usr/bin/openssl');

await mkdir(layout.logDir, { recursive: true });
const log = (name: string) => ({ logFile: path.join(layout.logDir, `${name}.log`) });
const started: Recorded[] = [];
const record = async (name: string, process: Started) => {
  // Detached processes: the command line identifies them for cluster-stop.
  await waitUntil(async () => commandLine(process.pid) !== undefined, 5_000, () => `${name} to start`);
  started.push({ name, pid: process.pid, command: commandLine(process.pid)! });
  await writeRecord(layout, started);
};

try {
  if (await ensureCertificate(layout.certificate, openssl)) process.stdout.write(`Made a self-signed certificate: ${path.relative(root, layout.certificate)}\n`);

  const redis = await startRedis(redisBinary, layout.redisPort, path.join(layout.stateDir, 'redis'), log('redis'));
  await record('redis', redis);

  const swiftDir = path.join(layout.stateDir, 'swift');
  await prepareSwift(swiftDir, layout.swiftPorts);
  const swift = await startSwift(swiftDir, layout.swiftPorts, { logDir: layout.logDir });
  for (const [index, process] of swift.processes.entries()) await record(`swift-${index}`, process);
  const objects = new ObjectStore(swiftS3Config(swift.endpoint, layout.bucket));
  await waitUntil(() => objects.ensureBucket().then(() => true), 30_000, () => 'a bucket on Swift');
  objects.close();

  for (const { name, port } of layout.nodes) {
    const node = startProcess(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
      cwd: root,
      ...log(name),
      env: {
        NODE_ID: name,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: path.join(layout.stateDir, name),
        REDIS_URL: redis.url,
        S3_ENDPOINT: swift.endpoint,
        S3_BUCKET: layout.bucket,
        AWS_ACCESS_KEY_ID: SWIFT_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SWIFT_CREDENTIALS.secretAccessKey,
        TRUST_PROXY: 'true',
        BEHIND_PROXY: 'true',
      },
    });
    await record(name, node);
  }
  for (const { name, port } of layout.nodes) {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 60_000, () => `${name} on port ${port} (see run/cluster/logs/${name}.log)`);
  }

  const haproxy = await startHaproxy(
    haproxyBinary,
    layout.haproxyConfig,
    { http: layout.httpPort, https: layout.httpsPort, stats: 8404, runtime: 9999 },
    layout.nodes.map(({ name }) => name),
    { cwd: root, ...log('haproxy') },
  );
  await record('haproxy', haproxy);
} catch (error) {
  process.stderr.write(`make cluster failed: ${error instanceof Error ? error.message : String(error)}\nStopping what started; logs are in ${path.relative(root, layout.logDir)}\n`);
  const { stopRecorded } = await import('./cluster-down.ts');
  await stopRecorded(layout, started);
  process.exit(1);
}

process.stdout.write(
  `ShareThings cluster is running at http://localhost:${layout.httpPort}\n` +
    `  TLS (self-signed): https://localhost:${layout.httpsPort}   HAProxy stats: http://127.0.0.1:8404\n` +
    `  nodes: ${layout.nodes.map(({ name, port }) => `${name} :${port}`).join(', ')}; Redis :${layout.redisPort}; Swift S3 :${layout.swiftPorts.proxy}\n` +
    `  logs: ${path.relative(root, layout.logDir)}/   stop: make cluster-stop\n`,
);
