/**
 * The smoke runs of bench/reconnect.ts: a graceful restart (its default) and
 * a kill -9. A run that loses anything fails by itself; the kill -9 run's
 * figures are checked here too.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"reconnect" reports positive numbers for every case and variant', async () => {
  await checkSmokeRun(benchmark('reconnect'));
});

it('"reconnect" after a kill -9 loses no acknowledged item and every client re-joins', async () => {
  const { row } = await checkSmokeRun(benchmark('reconnect'), ['--signal', 'SIGKILL', '--clients', '10']);
  const { details } = row('re-joined p50', 'sdk');
  assert.equal(details.notRejoined, 0);
  assert.equal(details.itemsLost, 0);
  assert.equal(details.corrupt, 0);
  assert.ok((details.itemsShared ?? 0) > 0);
  assert.equal(details.verified, details.itemsShared);
});
