/**
 * Servers under test, each in its own process: the real ShareThings server
 * (server/main.ts, configured through its environment like in production) and
 * baseline servers written for a benchmark (any TS file that prints a ready
 * line with its port, see child.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../../server/node-flags.ts';
import { spawnTs, type TsChild } from './proc.ts';

export interface ServerHandle {
  label: string;
  url: string;
  port: number;
  child: TsChild;
  /** CPU seconds used so far. */
  cpuSeconds(): number | undefined;
  /** Stops the server (gracefully, so --cpu-prof profiles get written) and returns its peak RSS. */
  stop(): Promise<{ peakRssBytes: number | undefined; cpuSeconds: number | undefined }>;
}

function handle(label: string, child: TsChild, port: number, cleanup?: () => Promise<void>): ServerHandle {
  return {
    label,
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    cpuSeconds: () => child.cpuSeconds(),
    async stop() {
      // VmHWM and CPU time must be read while the process still exists.
      const peakRssBytes = child.peakRssBytes();
      const cpuSeconds = child.cpuSeconds();
      const wasRunning = child.running;
      const exit = await child.stop(15_000);
      if (wasRunning && exit.signal === 'SIGKILL') process.stderr.write(`${label}: did not stop within 15 s, killed\n`);
      await cleanup?.();
      return { peakRssBytes, cpuSeconds };
    },
  };
}

const RUNNING_LINE = /ShareThings is running at https?:\/\/\S+?:(\d+)\s*$/;

/**
 * Starts server/main.ts on 127.0.0.1 with PORT=0 and parses the port from the
 * line main.ts prints once listening. `env` is added on top of quiet defaults.
 * It runs with the flags it ships with (server/node-flags.ts).
 * The server stores items: unless `env` names a DATA_DIR, it gets a fresh
 * temporary one (on the same disk as os.tmpdir()), removed when it stops.
 */
export async function startShareThings(opts: { label?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<ServerHandle> {
  const label = opts.label ?? 'sharethings';
  const dataDir = opts.env?.DATA_DIR ? undefined : await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-data-'));
  const cleanup = async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  const child = spawnTs('server/main.ts', {
    label,
    nodeArgs: [...SERVER_NODE_FLAGS, ...(opts.nodeArgs ?? [])],
    env: { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '2000', HTTPS: 'off', ...(dataDir ? { DATA_DIR: dataDir } : {}), ...opts.env, PORT: '0', HOST: '127.0.0.1' },
  });
  try {
    const port = await child.waitForLine((line) => {
      const match = RUNNING_LINE.exec(line);
      return match ? Number(match[1]) : undefined;
    }, 30_000, '"ShareThings is running at" line');
    return handle(label, child, port, cleanup);
  } catch (error) {
    await child.stop(2_000);
    await cleanup();
    throw error;
  }
}

/** Starts a benchmark's own server file; it must print a ready line `{ port }`. */
export async function startTsServer(file: string, opts: { label: string; options?: unknown; nodeArgs?: string[] }): Promise<ServerHandle> {
  const child = spawnTs(file, { label: opts.label, options: opts.options, nodeArgs: opts.nodeArgs });
  try {
    const { port } = await child.ready<{ port: number }>(30_000);
    return handle(opts.label, child, port);
  } catch (error) {
    await child.stop(2_000);
    throw error;
  }
}
