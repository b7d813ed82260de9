/**
 * The smoke run of bench/connections.ts. A smoke run that cannot connect
 * everyone fails by itself; this also checks the figures it reports.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"connections" connects everyone and reports RSS per connection and idle CPU', async () => {
  const { row } = await checkSmokeRun(benchmark('connections'), ['--clients', '60', '--per-session', '6']);
  for (const variant of ['sio-ours', 'sharethings']) {
    const { details } = row('ramp to 60', variant);
    assert.equal(details.connected, 60);
    assert.equal(details.failed, 0);
    assert.ok(typeof details.idleCpu === 'number' && details.idleCpu >= 0, `${variant}: idle CPU ${details.idleCpu}`);
    assert.ok((details.serverRssMiB ?? 0) > 0);
  }
});
