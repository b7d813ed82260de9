/**
 * The child side of the parent/child protocol used by every benchmark process
 * (see proc.ts for the parent side). A child reads its options from the
 * BENCH_OPTIONS environment variable (JSON), prints one `@@bench-ready {json}`
 * line when it is set up, waits for `go` on stdin when the parent wants to
 * start several processes at the same instant, and ends with one
 * `@@bench-result {json}` (or `@@bench-error {json}`) line on stdout.
 * Anything else a child prints is ignored by the parent (progress goes to stderr).
 */
import { createInterface } from 'node:readline';
import { selfPeakRssBytes } from './sysinfo.ts';

export const READY_PREFIX = '@@bench-ready ';
export const RESULT_PREFIX = '@@bench-result ';
export const ERROR_PREFIX = '@@bench-error ';
export const OPTIONS_ENV = 'BENCH_OPTIONS';

/** The options the parent passed (BENCH_OPTIONS JSON); throws when absent or not JSON. */
export function childOptions<T>(): T {
  const raw = process.env[OPTIONS_ENV];
  if (raw === undefined) throw new Error(`${OPTIONS_ENV} is not set: this file is started by a benchmark, not by hand`);
  return JSON.parse(raw) as T;
}

function writeLine(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

export function sendReady(info: object = {}): Promise<void> {
  return writeLine(READY_PREFIX + JSON.stringify(info));
}

/** Prints the result line (with this process's peak RSS added) and exits 0. */
export async function finish(result: object): Promise<never> {
  await writeLine(RESULT_PREFIX + JSON.stringify({ ...result, peakRssBytes: selfPeakRssBytes() }));
  process.exit(0);
}

/** Prints the error line and exits 1. */
export async function fail(error: unknown): Promise<never> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await writeLine(ERROR_PREFIX + JSON.stringify({ message }));
  process.exit(1);
}

/** Resolves on the first `go` line on stdin; rejects when stdin closes first. */
export function waitForGo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() !== 'go') return;
      resolve();
      lines.close();
    });
    lines.on('close', () => reject(new Error('stdin closed before "go"')));
  });
}

/** Every process bounds its own lifetime: after `ms` it reports an error and exits. */
export function deadline(ms: number, what: string): NodeJS.Timeout {
  return setTimeout(() => void fail(new Error(`${what}: gave up after ${ms} ms`)), ms);
}

/** Monotonic, system-wide clock (CLOCK_MONOTONIC on Linux), comparable across processes. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}
