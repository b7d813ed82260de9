/** What every benchmark's smoke run must report: each case with its baseline, positive numbers for every variant. */
import assert from 'node:assert/strict';
import type { BenchmarkEntry } from '../registry.ts';
import { runBenchmarkChild } from './cli.ts';

export async function checkSmokeRun(entry: BenchmarkEntry): Promise<void> {
  const report = await runBenchmarkChild(entry.file, { smoke: true, timeoutMs: 90_000, echoStderr: false });
  assert.equal(report.bench, entry.name);
  assert.equal(report.smoke, true);
  assert.ok(report.cases.length > 0 && report.variants.length > 1, 'at least one case, a baseline and one variant');
  assert.ok(report.variants.includes(report.baselineVariant), 'the baseline is one of the variants');
  for (const kase of report.cases) {
    for (const variant of report.variants) {
      const row = report.rows.find((r) => r.case === kase && r.variant === variant);
      assert.ok(row, `no row for ${kase} / ${variant}`);
      assert.equal(row.baseline, variant === report.baselineVariant);
      assert.ok(row.runs.length > 0, `${kase} / ${variant}: no runs`);
      for (const value of [row.median, ...row.runs]) {
        assert.ok(Number.isFinite(value) && value > 0, `${kase} / ${variant}: ${value} ${row.unit}`);
      }
      assert.ok(row.ratio !== null && row.ratio > 0, `${kase} / ${variant}: ratio ${row.ratio}`);
    }
  }
}
