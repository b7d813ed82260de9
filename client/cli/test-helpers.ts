/**
 * Helpers for the CLI's tests: the real command (client/cli/main.ts through
 * the repository's tsx) as a child process, its --json events, and file
 * hashes. Never bundled: main.ts does not import it.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { PROJECT_ROOT } from '../../server/testing/harness.ts';

export const CLI_ARGS = ['--import', 'tsx', path.join('client', 'cli', 'main.ts')];

export interface CliEvent {
  event: string;
  [field: string]: unknown;
}

export interface RunningCli {
  child: ChildProcess;
  /** Every --json event so far. */
  events: CliEvent[];
  stdout(): string;
  stderr(): string;
  /** The first event named `name` that passes `filter` (past or future). */
  event(name: string, filter?: (event: CliEvent) => boolean): Promise<CliEvent>;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
}

/** Starts `sharethings ...args` with `env` on top of this process's environment; killed after the test if still running. */
export function startCli(t: TestContext, args: string[], options: { env?: Record<string, string>; stdio?: StdioOptions } = {}): RunningCli {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SHARETHINGS_SERVER: '', SHARETHINGS_PASSPHRASE: '', ...options.env },
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  let partial = '';
  const events: CliEvent[] = [];
  const waiters: Array<() => void> = [];
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    out += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('{')) events.push(JSON.parse(line) as CliEvent);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const event = async (name: string, filter: (event: CliEvent) => boolean = () => true): Promise<CliEvent> => {
    for (;;) {
      const found = events.find((candidate) => candidate.event === name && filter(candidate));
      if (found) return found;
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      const ended = exited.then(() => 'ended' as const);
      if ((await Promise.race([more, ended])) === 'ended' && !events.some((candidate) => candidate.event === name && filter(candidate))) {
        throw new Error(`sharethings ${args.join(' ')} exited without a "${name}" event\nstdout: ${out}\nstderr: ${err}`);
      }
    }
  };
  return { child, events, stdout: () => out, stderr: () => err, event, exited };
}

/** Runs `sharethings ...args` to its end. */
export async function runCli(t: TestContext, args: string[], env: Record<string, string> = {}) {
  const cli = startCli(t, args, { env });
  const code = await cli.exited;
  return { code, events: cli.events, stdout: cli.stdout(), stderr: cli.stderr() };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir`, as paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)))
    .sort();
}

/**
 * The peak resident memory of process `pid`, from /proc/<pid>/status (VmHWM,
 * the kernel's own high-water mark, read every `everyMs` while it runs): the
 * peak up to the last reading before it exits.
 */
export function watchPeakRss(pid: number, everyMs = 50): { peakBytes(): number; stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB$/mu.exec(status);
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // Exited: the last reading stands.
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    peakBytes: () => peak,
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** A file of `bytes` (a multiple of 1 MiB) made fast: one random MiB written over and over. */
export async function writeRepeatedFile(file: string, bytes: number): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) await handle.write(block);
  } finally {
    await handle.close();
  }
}
