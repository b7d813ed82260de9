/**
 * A redis-server on loopback for the tests and `make cluster`: its own
 * directory, AOF on (what acknowledged must survive a restart), and a
 * pub/sub output buffer limit sized for file chunks (see README, "Operating
 * several nodes": Redis' default cuts a subscriber 32 MB behind, ~128 chunks).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startProcess, waitUntil, type Started, type StartOptions } from './process.ts';

/** The limit the cluster's Redis runs with: a node may fall 256 MiB behind for a moment, 64 MiB for 30 s. */
export const PUBSUB_BUFFER_LIMIT = 'pubsub 256mb 64mb 30';

export interface RedisServer extends Started {
  port: number;
  url: string;
  /** Its data directory (the AOF): a restart on it gets back what was acknowledged. */
  dir: string;
}

export function redisArguments(port: number, dir: string): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--client-output-buffer-limit', PUBSUB_BUFFER_LIMIT,
    '--daemonize', 'no',
  ];
}

/** Whether something at 127.0.0.1:`port` answers PING with PONG (a Redis that is up and not stopped). */
export function pings(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (answer: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

/** Starts redis-server with `args`; resolves once it answers PING on `port`. */
async function startAnswering(binary: string, args: string[], port: number, dir: string, what: string, options: StartOptions = {}): Promise<RedisServer> {
  const started = startProcess(binary, args, options);
  try {
    await waitUntil(() => pings(port), 10_000, () => `${what} on port ${port}: ${started.output()}`);
  } catch (error) {
    await started.stop('SIGKILL');
    throw error;
  }
  return { ...started, port, url: `redis://127.0.0.1:${port}`, dir };
}

export async function startRedis(binary: string, port: number, dir: string, options: StartOptions = {}): Promise<RedisServer> {
  await mkdir(dir, { recursive: true });
  return startAnswering(binary, redisArguments(port, dir), port, dir, 'redis-server', options);
}

/** A Redis Sentinel watching the primary at 127.0.0.1:`primaryPort` under `name` (for tests of REDIS_SENTINELS). */
export async function startSentinel(binary: string, port: number, primaryPort: number, name: string, dir: string): Promise<RedisServer> {
  await mkdir(dir, { recursive: true });
  // Sentinel rewrites its configuration file as it learns: it must be its own, writable.
  const config = path.join(dir, 'sentinel.conf');
  await writeFile(config, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${primaryPort} 1\nsentinel down-after-milliseconds ${name} 2000\n`);
  return startAnswering(binary, [config, '--sentinel'], port, dir, 'redis-sentinel');
}
