/**
 * `make bench`: runs every registered benchmark (registry.ts), each in its own
 * process, prints one table and merges the reports into
 * bench/results/latest.json (smoke: bench/results/smoke.json).
 *
 *   npx tsx bench/run-all.ts [--smoke] [--only relay,http] [--out FILE] [--no-write]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, runBenchmarkChild } from './lib/cli.ts';
import { LATEST_FILE, SMOKE_FILE, reportTable, writeResults, type BenchReport } from './lib/report.ts';
import { machineInfo } from './lib/sysinfo.ts';
import { BENCHMARKS } from './registry.ts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help) {
  log(`npx tsx bench/run-all.ts [--smoke] [--only ${BENCHMARKS.map((b) => b.name).join(',')}] [--out FILE] [--no-write]`);
  process.exit(0);
}
const smoke = values.smoke === true;
const only = values.only?.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of only ?? []) {
  if (!BENCHMARKS.some((entry) => entry.name === name)) {
    log(`unknown benchmark "${name}" (registered: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
}
const selected = BENCHMARKS.filter((entry) => !only || only.includes(entry.name));

const machine = machineInfo();
log(`machine: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadAverage.join(' ')}, ` +
  `bufferutil ${machine.bufferutil.native ? 'native' : 'NOT native'}, commit ${machine.commit ?? '?'}`);

const started = Date.now();
const reports: BenchReport[] = [];
const failures: string[] = [];
for (const entry of selected) {
  log(`\n== ${entry.name}${smoke ? ' (smoke)' : ''}: bench/${entry.file}`);
  try {
    // Bounds: a full benchmark should take a few minutes; the smoke mode seconds.
    reports.push(await runBenchmarkChild(entry.file, { smoke, timeoutMs: smoke ? 120_000 : 20 * 60_000, echoStderr: true }));
  } catch (error) {
    failures.push(entry.name);
    log(`${entry.name} FAILED: ${(error as Error).message}`);
  }
}

if (reports.length > 0) {
  process.stdout.write(`\n${reportTable(reports)}\n`);
  for (const report of reports) for (const note of report.notes) process.stdout.write(`  ${report.bench}: ${note}\n`);
  if (!values['no-write']) {
    const file = await writeResults(reports, values.out ?? (smoke ? SMOKE_FILE : LATEST_FILE));
    process.stdout.write(`results merged into ${path.relative(process.cwd(), file)}\n`);
  }
}
process.stdout.write(`${reports.length} benchmark(s) in ${((Date.now() - started) / 1000).toFixed(0)} s` +
  `${failures.length ? `; FAILED: ${failures.join(', ')}` : ''}; load now ${machineInfo().loadAverage.join(' ')}\n`);
process.exit(failures.length ? 1 : 0);
