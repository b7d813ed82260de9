/**
 * The parent side: start a TypeScript file in its own Node process
 * (`process.execPath --import tsx file.ts`, so the PID is the Node process
 * itself and /proc figures are its own), pass it options as JSON, and read
 * its `@@bench-*` lines (see child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_PREFIX, OPTIONS_ENV, READY_PREFIX, RESULT_PREFIX } from './child.ts';
import { cpuSeconds, peakRssBytes } from './sysinfo.ts';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ROOT = path.resolve(BENCH_DIR, '..');

export interface SpawnTsOptions {
  /** Shown in errors and in the echoed stderr. */
  label: string;
  /** JSON-serialisable options, passed as BENCH_OPTIONS. */
  options?: unknown;
  args?: string[];
  env?: Record<string, string>;
  /** Extra Node flags, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArgs?: string[];
  /** Echo the child's stderr, prefixed with the label (BENCH_VERBOSE=1 turns it on everywhere). */
  echoStderr?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_TAIL_BYTES = 8 * 1024;

export class TsChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private stderrTail = '';

  constructor(
    readonly label: string,
    file: string,
    opts: SpawnTsOptions,
  ) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    if (opts.options !== undefined) env[OPTIONS_ENV] = JSON.stringify(opts.options);
    else delete env[OPTIONS_ENV];
    this.process = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file, ...(opts.args ?? [])], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (this.process.pid === undefined) throw new Error(`${label}: could not start ${file}`);
    this.pid = this.process.pid;
    const echo = opts.echoStderr ?? process.env.BENCH_VERBOSE === '1';
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.wake();
    });
    this.process.stderr!.on('data', (data: Buffer) => {
      const text = data.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
      if (echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${label}] `));
    });
    // A child that exits early must not leave us waiting on its stdin.
    this.process.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
    track(this);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The last lines of the child's stderr, for error messages. */
  get stderr(): string {
    return this.stderrTail;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves with the first stdout line (seen so far or later) that `match` maps to a value. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < this.lines.length; seen++) {
          const line = this.lines[seen]!;
          if (line.startsWith(ERROR_PREFIX)) {
            done();
            reject(new Error(`${this.label}: ${parseJson<{ message: string }>(line.slice(ERROR_PREFIX.length)).message}${this.stderrHint()}`));
            return;
          }
          const value = match(line);
          if (value !== undefined) {
            done();
            resolve(value);
            return;
          }
        }
        if (this.exit) {
          done();
          reject(new Error(`${this.label}: exited (${this.exit.signal ?? this.exit.code}) before ${what}${this.stderrHint()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms${this.stderrHint()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private stderrHint(): string {
    const tail = this.stderrTail.trim();
    return tail ? `\n--- ${this.label} stderr (tail) ---\n${tail.split('\n').slice(-15).join('\n')}` : '';
  }

  /** The child's `@@bench-ready` payload. */
  ready<T>(timeoutMs = 30_000): Promise<T> {
    return this.waitForLine((line) => (line.startsWith(READY_PREFIX) ? parseJson<T>(line.slice(READY_PREFIX.length)) : undefined), timeoutMs, 'ready line');
  }

  /** The child's `@@bench-result` payload. */
  result<T>(timeoutMs: number): Promise<T> {
    return this.waitForLine((line) => (line.startsWith(RESULT_PREFIX) ? parseJson<T>(line.slice(RESULT_PREFIX.length)) : undefined), timeoutMs, 'result line');
  }

  /** Writes one line to the child's stdin (e.g. `go`). */
  send(line: string): void {
    this.process.stdin!.write(`${line}\n`);
  }

  /** Peak RSS (VmHWM) so far; only meaningful while the process runs. */
  peakRssBytes(): number | undefined {
    return this.running ? peakRssBytes(this.pid) : undefined;
  }

  /** CPU seconds used so far; only meaningful while the process runs. */
  cpuSeconds(): number | undefined {
    return this.running ? cpuSeconds(this.pid) : undefined;
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (!this.running) return this.exited;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

// Every child still running when this process ends is ended with it, so an
// interrupted or failed benchmark never leaves servers behind.
const live = new Set<TsChild>();
let hooked = false;
function track(child: TsChild): void {
  live.add(child);
  void child.exited.then(() => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const running of live) running.process.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll(live, 3_000).finally(() => process.exit(130));
    });
  }
}

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Starts `file` (absolute, or relative to the project root) with tsx in a new Node process. */
export function spawnTs(file: string, opts: SpawnTsOptions): TsChild {
  return new TsChild(opts.label, path.resolve(PROJECT_ROOT, file), opts);
}

/** Stops every child still running (used in `finally` blocks). */
export async function stopAll(children: Iterable<TsChild | undefined>, graceMs = 5_000): Promise<void> {
  await Promise.all([...children].map((child) => child?.stop(graceMs)));
}
