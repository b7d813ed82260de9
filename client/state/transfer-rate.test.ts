import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferRate } from './transfer-rate.ts';

test('speed and time left come from the last few seconds, so a stall shows', () => {
  let now = 0;
  const rate = new TransferRate(() => now);
  assert.equal(rate.update('download', 0, 100e6).bytesPerSecond, undefined);
  for (let second = 1; second <= 5; second++) {
    now = second * 1000;
    rate.update('download', second * 10e6, 100e6);
  }
  const steady = rate.update('download', 50e6, 100e6);
  assert.equal(Math.round(steady.bytesPerSecond!), 10e6);
  assert.equal(Math.round(steady.secondsLeft!), 5);

  // Two seconds later only 1 MB more: the window shows the slowdown.
  now = 6000;
  rate.update('download', 50.5e6, 100e6);
  now = 7000;
  const slow = rate.update('download', 51e6, 100e6);
  assert.ok(slow.bytesPerSecond! < 10e6, `${slow.bytesPerSecond}`);
});
