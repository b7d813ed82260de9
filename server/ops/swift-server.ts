/**
 * OpenStack Swift with its S3 API (s3api middleware), from Debian's packages:
 * the S3-compatible object store the tests and `make cluster` run against. One
 * replica on 127.0.0.1, tempauth with one user, accounts created on first use;
 * everything (rings, configuration, data) under one directory.
 *
 * Swift asks for a cache (memcache) in its pipeline but works without a
 * memcached server: the cache middleware only logs that none answers, so its
 * log level is turned down.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { S3Config } from '../cluster/config.ts';
import { startProcess, waitUntil, type Started, type StartOptions } from './process.ts';

/** tempauth's user: the S3 access key is `account:user`, the secret its password. */
export const SWIFT_CREDENTIALS = { accessKeyId: 'sharethings:local', secretAccessKey: 'local-secret' } as const;

/** How the nodes, tests and benchmarks reach a bucket on this Swift. */
export function swiftS3Config(endpoint: string, bucket: string, keyPrefix = ''): S3Config {
  return { endpoint, bucket, region: 'us-east-1', forcePathStyle: true, keyPrefix, credentials: { ...SWIFT_CREDENTIALS }, requestTimeoutMs: 10_000 };
}

/** The Debian packages Swift needs, and the command that says they are installed. */
export const SWIFT_PACKAGES = ['swift', 'swift-proxy', 'swift-account', 'swift-container', 'swift-object'];
export const SWIFT_PROXY_COMMAND = 'swift-proxy-server';

const SERVICES = ['account', 'container', 'object'] as const;

export interface SwiftPorts {
  proxy: number;
  account: number;
  container: number;
  object: number;
}

export interface SwiftServer {
  endpoint: string;
  processes: Started[];
  /** The tail of what its servers printed (attached processes), for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function serverConfig(dir: string, service: string, port: number): string {
  return `[DEFAULT]
swift_dir = ${dir}
devices = ${path.join(dir, 'devices')}
mount_check = false
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
log_level = WARNING

[pipeline:main]
pipeline = ${service}-server

[app:${service}-server]
use = egg:swift#${service}
`;
}

function proxyConfig(dir: string, port: number): string {
  const [account, user] = SWIFT_CREDENTIALS.accessKeyId.split(':');
  return `[DEFAULT]
swift_dir = ${dir}
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_${account}_${user} = ${SWIFT_CREDENTIALS.secretAccessKey} .admin

[filter:s3api]
use = egg:swift#s3api

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:1
set log_level = CRITICAL

[filter:healthcheck]
use = egg:swift#healthcheck
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
`;
}

/**
 * One-replica rings built in one Python process with Swift's own RingBuilder
 * (swift-ring-builder would take nine, ~8 s), by the Python Swift is installed for.
 */
const BUILD_RINGS = `
import sys
from swift.common.ring import RingBuilder
for name, port in zip(('account', 'container', 'object'), map(int, sys.argv[2:5])):
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100})
    builder.rebalance()
    builder.get_ring().save('%s/%s.ring.gz' % (sys.argv[1], name))
`;

function swiftPython(): string {
  const tool = execFileSync('sh', ['-c', 'command -v swift-ring-builder'], { encoding: 'utf8' }).trim();
  const shebang = readFileSync(tool, 'utf8').split('\n')[0] ?? '';
  return shebang.replace(/^#!\s*/, '').trim().split(/\s+/)[0] || 'python3';
}

/** Writes the configuration and the rings into `dir` (the rings once: a second call keeps them and the data). */
export async function prepareSwift(dir: string, ports: SwiftPorts): Promise<void> {
  await mkdir(path.join(dir, 'devices', 'd1'), { recursive: true });
  await writeFile(path.join(dir, 'swift.conf'), '[swift-hash]\nswift_hash_path_suffix = sharethings-local\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n');
  for (const service of SERVICES) await writeFile(path.join(dir, `${service}-server.conf`), serverConfig(dir, service, ports[service]));
  await writeFile(path.join(dir, 'proxy-server.conf'), proxyConfig(dir, ports.proxy));
  if (!existsSync(path.join(dir, 'object.ring.gz'))) {
    execFileSync(swiftPython(), ['-c', BUILD_RINGS, dir, String(ports.account), String(ports.container), String(ports.object)], { stdio: 'pipe' });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts the four Swift servers; resolves once the proxy answers its health check and the others listen. */
export async function startSwift(dir: string, ports: SwiftPorts, options: { logDir?: string } = {}): Promise<SwiftServer> {
  const start = (name: string) => {
    const logOptions: StartOptions = options.logDir ? { logFile: path.join(options.logDir, `swift-${name}.log`) } : {};
    // -v: log to the console (the log file), not to syslog.
    return startProcess(`swift-${name}-server`, [path.join(dir, `${name}-server.conf`), '-v'], logOptions);
  };
  const processes = [...SERVICES.map(start), start('proxy')];
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await Promise.all(processes.map((started) => started.stop(signal)));
  };
  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  const output = () => processes.map((p) => p.output()).join('\n').slice(-4_000);
  try {
    // Ready when the proxy answers and every server listens; one that exited (its port taken) fails at once.
    await waitUntil(
      async () => {
        const exited = processes.find((p) => p.child && (p.child.exitCode !== null || p.child.signalCode !== null));
        if (exited) throw new Error(`a Swift server exited: ${output()}`);
        const listening = await Promise.all(SERVICES.map((service) => accepts(ports[service])));
        return listening.every(Boolean) && (await fetch(`${endpoint}/healthcheck`).then((answer) => answer.ok, () => false));
      },
      30_000,
      () => `Swift at ${endpoint}: ${output()}`,
      { rethrow: true },
    );
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { endpoint, processes, stop, output };
}
