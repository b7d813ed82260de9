/**
 * Servers under test, each in its own process: the real ShareThings server
 * (server/main.ts, configured through its environment like in production) and
 * baseline servers written for a benchmark (any TS file that prints a ready
 * line with its port, see child.ts).
 */
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

function handle(label: string, child: TsChild, port: number): ServerHandle {
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
      const exit = await child.stop(15_000);
      if (exit.signal === 'SIGKILL') process.stderr.write(`${label}: did not stop within 15 s, killed\n`);
      return { peakRssBytes, cpuSeconds };
    },
  };
}

const RUNNING_LINE = /ShareThings is running at https?:\/\/\S+?:(\d+)\s*$/;

/**
 * Starts server/main.ts on 127.0.0.1 with PORT=0 and parses the port from the
 * line main.ts prints once listening. `env` is added on top of quiet defaults.
 */
export async function startShareThings(opts: { label?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<ServerHandle> {
  const label = opts.label ?? 'sharethings';
  const child = spawnTs('server/main.ts', {
    label,
    nodeArgs: opts.nodeArgs,
    env: { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '2000', ...opts.env, PORT: '0', HOST: '127.0.0.1' },
  });
  try {
    const port = await child.waitForLine((line) => {
      const match = RUNNING_LINE.exec(line);
      return match ? Number(match[1]) : undefined;
    }, 30_000, '"ShareThings is running at" line');
    return handle(label, child, port);
  } catch (error) {
    await child.stop(2_000);
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
