/** What every benchmark's smoke run must report: each case with its baseline, positive numbers for every variant. */
import assert from 'node:assert/strict';
import { BENCHMARKS, type BenchmarkEntry } from '../registry.ts';
import { runBenchmarkChild } from './cli.ts';
import type { BenchReport, BenchRow } from './report.ts';

export interface SmokeRun {
  report: BenchReport;
  /** The row of one case and variant (asserted to exist). */
  row(kase: string, variant: string): BenchRow;
}

/** The registered benchmark of that name. */
export function benchmark(name: string): BenchmarkEntry {
  const entry = BENCHMARKS.find((e) => e.name === name);
  assert.ok(entry, `no benchmark named ${name} in registry.ts`);
  return entry;
}

/** Runs `entry` in smoke mode (with `args` on top) and checks its report; resolves with it for more specific checks. */
export async function checkSmokeRun(entry: BenchmarkEntry, args: string[] = []): Promise<SmokeRun> {
  const report = await runBenchmarkChild(entry.file, { smoke: true, args, timeoutMs: 90_000, echoStderr: false });
  assert.equal(report.bench, entry.name);
  assert.equal(report.smoke, true);
  assert.ok(report.cases.length > 0 && report.variants.length > 1, 'at least one case, a baseline and one variant');
  assert.ok(report.variants.includes(report.baselineVariant), 'the baseline is one of the variants');
  const row = (kase: string, variant: string) => {
    const found = report.rows.find((r) => r.case === kase && r.variant === variant);
    assert.ok(found, `no row for ${kase} / ${variant}`);
    return found;
  };
  for (const kase of report.cases) {
    for (const variant of report.variants) {
      const found = row(kase, variant);
      assert.equal(found.baseline, variant === report.baselineVariant);
      assert.ok(found.runs.length > 0, `${kase} / ${variant}: no runs`);
      for (const value of [found.median, ...found.runs]) {
        assert.ok(Number.isFinite(value) && value > 0, `${kase} / ${variant}: ${value} ${found.unit}`);
      }
      assert.ok(found.ratio !== null && found.ratio > 0, `${kase} / ${variant}: ratio ${found.ratio}`);
    }
  }
  return { report, row };
}
