/**
 * What every benchmark file shares when run: common flags, progress output,
 * the table, the results file, and the result line for run-all.ts and the
 * smoke test.
 *
 * Common flags:
 *   --smoke        tiny sizes, seconds in all (what `make test` runs)
 *   --out FILE     results file (default bench/results/latest.json, smoke: smoke.json)
 *   --no-write     do not write a results file
 *   --child        started by run-all.ts / a <name>-smoke.test.ts: print only the result line
 *   --help
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RESULT_PREFIX } from './child.ts';
import { PROJECT_ROOT, spawnTs } from './proc.ts';
import { LATEST_FILE, SMOKE_FILE, addRatios, reportTable, writeResults, type BenchReport, type BenchRow } from './report.ts';
import { machineInfo } from './sysinfo.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** What a benchmark's run() returns; benchMain adds the common fields. */
export interface BenchOutcome {
  options: Record<string, unknown>;
  baselineVariant: string;
  variants: string[];
  cases: string[];
  rows: BenchRow[];
  notes: string[];
}

export interface BenchDefinition<O> {
  name: string;
  title: string;
  /** Help text for the benchmark's own flags. */
  usage: string;
  options: OptionSpec;
  /** Builds the options from the parsed flags; smoke selects the small defaults. */
  parse(values: ParsedValues, smoke: boolean): O;
  run(options: O, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome>;
}

const COMMON_OPTIONS: OptionSpec = {
  smoke: { type: 'boolean', default: false },
  child: { type: 'boolean', default: false },
  'no-write': { type: 'boolean', default: false },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

const COMMON_USAGE = `Common flags:
  --smoke          tiny sizes and one run (seconds); results go to bench/results/smoke.json
  --out FILE       results file to merge into (default bench/results/latest.json)
  --no-write       print only, write no results file
  --child          print only the machine-readable result line (used by run-all.ts)
  -h, --help`;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The entry point of a benchmark file: parses flags, runs, prints and writes. */
export async function benchMain<O>(def: BenchDefinition<O>, argv = process.argv.slice(2)): Promise<void> {
  let values: ParsedValues;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...def.options }, strict: true, allowPositionals: false }));
  } catch (error) {
    log(`${(error as Error).message}\n\n${def.usage}\n${COMMON_USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    log(`${def.title}\n\n${def.usage}\n${COMMON_USAGE}`);
    return;
  }
  const smoke = values.smoke === true;
  let options: O;
  try {
    options = def.parse(values, smoke);
  } catch (error) {
    log(`${(error as Error).message}\n\n${def.usage}`);
    process.exit(2);
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const outcome = await def.run(options, { smoke, log });
  const report: BenchReport = {
    bench: def.name,
    title: def.title,
    smoke,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    command: process.env.BENCH_PARENT_COMMAND ?? `npx tsx bench/${path.basename(process.argv[1] ?? `${def.name}.ts`)} ${argv.join(' ')}`.trim(),
    machine,
    ...outcome,
    rows: addRatios(outcome.rows),
  };
  if (values.child) {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(`\n${report.title}\n${reportTable([report])}\n`);
  for (const note of report.notes) process.stdout.write(`  note: ${note}\n`);
  if (!values['no-write']) {
    const file = await writeResults([report], typeof values.out === 'string' ? values.out : smoke ? SMOKE_FILE : LATEST_FILE);
    process.stdout.write(`results merged into ${path.relative(process.cwd(), file)}\n`);
  }
}

export function stringValue(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberValue(values: ParsedValues, name: string, fallback: number, check: (n: number) => boolean = (n) => n > 0): number {
  const raw = stringValue(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`--${name}: invalid value "${raw}"`);
  return value;
}

export function listValue(values: ParsedValues, name: string): string[] | undefined {
  const raw = stringValue(values, name);
  return raw === undefined ? undefined : raw.split(',').map((item) => item.trim()).filter(Boolean);
}

/** Checks a list of names against the allowed ones. */
export function pick<T extends string>(names: readonly string[], allowed: readonly T[], flag: string): T[] {
  for (const name of names) {
    if (!(allowed as readonly string[]).includes(name)) throw new Error(`--${flag}: unknown "${name}" (one of ${allowed.join(', ')})`);
  }
  return allowed.filter((name) => names.includes(name));
}

/**
 * Runs one benchmark file in its own process with --child and returns its
 * report: what run-all.ts and the smoke tests do for each registered benchmark.
 */
export async function runBenchmarkChild(
  file: string,
  opts: { smoke: boolean; args?: string[]; timeoutMs: number; echoStderr: boolean },
): Promise<BenchReport> {
  const parent = `npx tsx ${path.relative(PROJECT_ROOT, process.argv[1] ?? '')} ${process.argv.slice(2).join(' ')}`.trim();
  const child = spawnTs(path.isAbsolute(file) ? file : path.join('bench', file), {
    label: path.basename(file, '.ts'),
    args: ['--child', ...(opts.smoke ? ['--smoke'] : []), ...(opts.args ?? [])],
    env: { BENCH_PARENT_COMMAND: parent },
    echoStderr: opts.echoStderr,
  });
  try {
    return await child.result<BenchReport>(opts.timeoutMs);
  } finally {
    await child.stop(5_000);
  }
}
