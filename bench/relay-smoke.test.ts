/** The smoke run of bench/relay.ts (each benchmark's in a file of its own, so each file stays well within the per-file timeout). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"relay" reports positive numbers for every case and variant, and ShareThings against the raw relay that also stores', async () => {
  const { report, row } = await checkSmokeRun(benchmark('relay'));
  assert.ok(report.variants.includes('ws-file'), report.variants.join(','));
  for (const kase of report.cases) assert.ok((row(kase, 'sharethings').details.vsWsFile ?? 0) > 0, kase);
});
