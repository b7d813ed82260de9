/**
 * Keeps the benchmarks from rotting: runs the smoke mode of every registered
 * benchmark (tiny sizes, seconds) and checks that each case has its baseline
 * and that every variant produced positive numbers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmarkChild } from './lib/cli.ts';
import { BENCHMARKS } from './registry.ts';

// Side by side: only the numbers' sign matters here, not their size.
describe('benchmarks in smoke mode', { concurrency: true }, () => {
  for (const entry of BENCHMARKS) {
    it(`"${entry.name}" reports positive numbers for every case and variant`, async () => {
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
    });
  }
});
