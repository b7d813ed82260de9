/**
 * The smoke run of bench/fanout.ts. The benchmark checks the bytes at every
 * receiver itself; this also checks the latency figures it reports.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"fanout" reports positive numbers and ordered delivery latency percentiles for every receiver count', async () => {
  const { report, row } = await checkSmokeRun(benchmark('fanout'), ['--receivers', '2,6']);
  for (const kase of report.cases) {
    for (const variant of ['ws-raw', 'sdk']) {
      const { details } = row(kase, variant);
      assert.ok((details.latencyP50Ms ?? 0) > 0 && details.latencyP50Ms! <= details.latencyP99Ms!, `${kase} / ${variant}: p50 ${details.latencyP50Ms} p99 ${details.latencyP99Ms}`);
      assert.ok((details.perReceiverMBps ?? 0) > 0);
    }
  }
});
