/**
 * Helpers shared by the SDK and many-client benchmarks (transfer, fanout,
 * connections, reconnect): the ShareThings environment that lifts its
 * per-address and per-session limits, fast key derivation, a pseudo-random
 * byte stream, latency summaries, a second stdin/stdout control channel
 * (besides child.ts's ready/go/result), current RSS and CPU sampling of a
 * process, and a ShareThings server on a fixed port and data directory (to
 * restart it in place).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { deriveSessionKeys, type SessionKeys } from '../../protocol/crypto/index.ts';
import { SERVER_NODE_FLAGS } from '../../server/node-flags.ts';
import { LIFTED_LIMITS_ENV } from '../relay/common.ts';
import { spawnTs, type TsChild } from './proc.ts';
import { cpuSeconds } from './sysinfo.ts';
import { percentile } from './stats.ts';

/**
 * Everything one address may do, lifted: the benchmarks run every client from
 * 127.0.0.1, so the per-address limits (meant for abuse from one IP) would
 * measure the limiter. Per-connection event and byte budgets are lifted like
 * relay.ts does. Flow control (SOCKET_BUFFER_BYTES) stays as shipped.
 */
export const MANY_CLIENTS_ENV: Record<string, string> = {
  ...LIFTED_LIMITS_ENV,
  CONNECTIONS_PER_ADDRESS: '1000000',
  HANDSHAKES_PER_ADDRESS: '1000000',
  OPEN_CONNECTIONS_PER_ADDRESS: '1000000',
  HTTP_CONNECTIONS_PER_ADDRESS: '1000000',
  JOINS_PER_ADDRESS: '1000000',
  JOINS_PER_SESSION: '1000000',
  SESSIONS_CREATED_PER_ADDRESS: '1000000',
  MEMBERS_PER_SESSION: '100000',
  JOIN_FAILURES_PER_ADDRESS: '1000000',
  JOIN_FAILURES_PER_SESSION: '1000000',
};

export const BENCH_PASSPHRASE = 'bench passphrase';
/** Like the tests: 1000 PBKDF2 iterations instead of 600,000, so a join costs milliseconds, not a second. */
export const FAST_PBKDF2_ITERATIONS = 1000;

const keyCache = new Map<string, Promise<SessionKeys>>();
/** A ShareClient `deriveKeys` with few iterations, cached per session and passphrase. */
export function fastKeys(sessionId: string, passphrase: string): Promise<SessionKeys> {
  const key = `${sessionId}\u0000${passphrase}`;
  let keys = keyCache.get(key);
  if (!keys) {
    keys = deriveSessionKeys(sessionId, passphrase, FAST_PBKDF2_ITERATIONS);
    keyCache.set(key, keys);
  }
  return keys;
}

/**
 * Pseudo-random bytes (AES-128-CTR keystream, native, several GB/s), a piece
 * at a time: a large input that is never in memory as a whole.
 */
export class RandomStream {
  readonly #cipher;
  readonly #zeros: Buffer;

  constructor(pieceBytes: number, seed: Buffer = randomBytes(32)) {
    this.#cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
    this.#zeros = Buffer.alloc(pieceBytes);
  }

  /** The next `bytes` (at most the piece size) pseudo-random bytes, in a fresh buffer. */
  next(bytes: number): Buffer {
    return this.#cipher.update(bytes === this.#zeros.length ? this.#zeros : this.#zeros.subarray(0, bytes));
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Percentiles of a list of latencies (any unit); zeros when empty. */
export function summarise(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: percentile(values, 100),
  };
}

/** At most `limit` values, evenly spaced (a result line must stay a reasonable size). */
export function thin(values: readonly number[], limit: number): number[] {
  if (values.length <= limit) return [...values];
  const step = values.length / limit;
  return Array.from({ length: limit }, (_, index) => values[Math.floor(index * step)]!);
}

// --- A second control channel: named lines both ways, after child.ts's ready/go. ---

export const EVENT_PREFIX = '@@bench-event ';

/** Child side: prints `@@bench-event {"name": ..., ...}` on stdout. */
export function sendEvent(name: string, data: object = {}): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${EVENT_PREFIX}${JSON.stringify({ ...data, name })}\n`, () => resolve()));
}

/** Parent side: resolves with the child's event `name` (seen so far or later). */
export function waitForEvent<T>(child: TsChild, name: string, timeoutMs: number): Promise<T> {
  return child.waitForLine((line) => {
    if (!line.startsWith(EVENT_PREFIX)) return undefined;
    const data = JSON.parse(line.slice(EVENT_PREFIX.length)) as { name: string };
    return data.name === name ? (data as T) : undefined;
  }, timeoutMs, `"${name}" event`);
}

/** Child side: every command line from stdin; `next(word)` resolves on the next line equal to it. */
export class Commands {
  readonly #seen: string[] = [];
  readonly #waiters = new Set<() => void>();
  #closed = false;

  constructor() {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      this.#seen.push(line.trim());
      for (const waiter of [...this.#waiters]) waiter();
    });
    lines.on('close', () => {
      this.#closed = true;
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  /** Resolves on the first `word` line not yet consumed; rejects when stdin closes first. */
  async next(word: string): Promise<void> {
    await this.nextOf([word]);
  }

  /** Resolves with the first line not yet consumed that is one of `words`; rejects when stdin closes first. */
  nextOf<W extends string>(words: readonly W[]): Promise<W> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = this.#seen.findIndex((line) => (words as readonly string[]).includes(line));
        if (at >= 0) {
          const [word] = this.#seen.splice(at, 1);
          this.#waiters.delete(check);
          resolve(word as W);
        } else if (this.#closed) {
          this.#waiters.delete(check);
          reject(new Error(`stdin closed before "${words.join('" or "')}"`));
        }
      };
      this.#waiters.add(check);
      check();
    });
  }
}

// --- /proc readings of another process. ---

/** Current resident set size (VmRSS) of a live process, in bytes. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU cores a process used over `ms` (CPU seconds / wall seconds, all threads). */
export async function sampleCpu(pid: number, ms: number): Promise<number | undefined> {
  const start = cpuSeconds(pid);
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const end = cpuSeconds(pid);
  const wall = (performance.now() - wallStart) / 1000;
  return start === undefined || end === undefined ? undefined : (end - start) / wall;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- A ShareThings server that can be restarted in place. ---

const RUNNING_LINE = /ShareThings is running at https?:\/\/\S+?:(\d+)\s*$/;

export interface RestartableServer {
  readonly dataDir: string;
  /** 0 until the first start has chosen one. */
  port: number;
  child: TsChild | undefined;
  readonly url: string;
  /** Starts the server (on the same port after the first start); resolves when it is listening. */
  start(): Promise<void>;
  /** SIGTERM (graceful: clients see a transport close) or SIGKILL; resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if running and removes the data directory. */
  dispose(): Promise<void>;
}

/**
 * server/main.ts with its own temporary DATA_DIR, on 127.0.0.1, first on a
 * port the kernel picks, then on that same port after each restart (with the
 * same data directory), like a real restart behind a fixed address.
 */
export async function restartableShareThings(opts: { label: string; env?: Record<string, string> }): Promise<RestartableServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-data-'));
  let starts = 0;
  const server: RestartableServer = {
    dataDir,
    port: 0,
    child: undefined,
    get url() {
      return `http://127.0.0.1:${server.port}`;
    },
    async start() {
      const child = spawnTs('server/main.ts', {
        nodeArgs: [...SERVER_NODE_FLAGS],
        label: `${opts.label}${starts++ > 0 ? ` (restart ${starts - 1})` : ''}`,
        env: { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '2000', HTTPS: 'off', ...opts.env, DATA_DIR: dataDir, PORT: String(server.port), HOST: '127.0.0.1' },
      });
      server.child = child;
      try {
        server.port = await child.waitForLine((line) => {
          const match = RUNNING_LINE.exec(line);
          return match ? Number(match[1]) : undefined;
        }, 30_000, '"ShareThings is running at" line');
      } catch (error) {
        await child.stop(2_000);
        throw error;
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const child = server.child;
      if (!child?.running) return;
      const exit = await child.stop(15_000, signal);
      if (signal === 'SIGTERM' && exit.signal === 'SIGKILL') process.stderr.write(`${child.label}: did not stop within 15 s, killed\n`);
    },
    async dispose() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
