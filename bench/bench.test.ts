/**
 * Keeps the benchmarks from rotting: runs the smoke mode of every registered
 * benchmark but the cluster ones (each in `<name>-smoke.test.ts`) (tiny sizes,
 * seconds) and checks that each case has its baseline and that every variant
 * produced positive numbers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmarkChild } from './lib/cli.ts';
import { checkSmokeRun } from './lib/smoke-check.ts';
import { BENCHMARKS } from './registry.ts';

// Side by side: only the numbers' sign matters here, not their size.
describe('benchmarks in smoke mode', { concurrency: true }, () => {
  for (const entry of BENCHMARKS.filter((e) => !e.cluster)) {
    it(`"${entry.name}" reports positive numbers for every case and variant`, () => checkSmokeRun(entry));
  }
});

/** A smoke run of one benchmark with extra flags; its rows by case and variant. */
async function smokeRun(file: string, args: string[]) {
  const report = await runBenchmarkChild(file, { smoke: true, args, timeoutMs: 90_000, echoStderr: false });
  const row = (kase: string, variant: string) => {
    const found = report.rows.find((r) => r.case === kase && r.variant === variant);
    assert.ok(found, `no row for ${kase} / ${variant}`);
    return found;
  };
  return { report, row };
}

// The SDK and many-client benchmarks check their own correctness (SHA-256 of a transfer, bytes at
// every receiver, every client connected, nothing lost over a restart) and fail a smoke run otherwise;
// these runs look at the figures they report besides the headline one.
describe('SDK and many-client benchmarks, specific figures', () => {
  it('transfer reports the peak RSS of sender, server and receiver, and compares sizes', async () => {
    const { report, row } = await smokeRun('transfer.ts', ['--sizes', '1m,2m', '--sweep-size', '1m', '--sweep-chunks', '64k']);
    assert.deepEqual(report.cases, ['1 MiB @ 256 KiB', '2 MiB @ 256 KiB', '1 MiB @ 64 KiB']);
    for (const kase of report.cases) {
      for (const variant of ['ws-raw', 'sdk']) {
        const { details } = row(kase, variant);
        for (const key of ['senderPeakRssMiB', 'serverPeakRssMiB', 'receiverPeakRssMiB']) {
          assert.ok((details[key] ?? 0) > 10, `${kase} / ${variant}: ${key} = ${details[key]}`);
        }
      }
    }
    assert.ok(report.notes.some((note) => note.startsWith('sdk peak RSS 1 MiB -> 2 MiB')), report.notes.join('\n'));
  });

  it('fanout reports ordered delivery latency percentiles for every receiver count', async () => {
    const { report, row } = await smokeRun('fanout.ts', ['--receivers', '2,6']);
    for (const kase of report.cases) {
      for (const variant of ['ws-raw', 'sdk']) {
        const { details } = row(kase, variant);
        assert.ok((details.latencyP50Ms ?? 0) > 0 && details.latencyP50Ms! <= details.latencyP99Ms!, `${kase} / ${variant}: p50 ${details.latencyP50Ms} p99 ${details.latencyP99Ms}`);
        assert.ok((details.perReceiverMBps ?? 0) > 0);
      }
    }
  });

  it('connections connects everyone and reports RSS per connection and idle CPU', async () => {
    const { row } = await smokeRun('connections.ts', ['--clients', '60', '--per-session', '6']);
    for (const variant of ['sio-ours', 'sharethings']) {
      const { details } = row('ramp to 60', variant);
      assert.equal(details.connected, 60);
      assert.equal(details.failed, 0);
      assert.ok(typeof details.idleCpu === 'number' && details.idleCpu >= 0, `${variant}: idle CPU ${details.idleCpu}`);
      assert.ok((details.serverRssMiB ?? 0) > 0);
    }
  });

  it('reconnect after a kill -9 loses no acknowledged item and every client re-joins', async () => {
    const { row } = await smokeRun('reconnect.ts', ['--signal', 'SIGKILL', '--clients', '10']);
    const { details } = row('re-joined p50', 'sdk');
    assert.equal(details.notRejoined, 0);
    assert.equal(details.itemsLost, 0);
    assert.equal(details.corrupt, 0);
    assert.ok((details.itemsShared ?? 0) > 0);
    assert.equal(details.verified, details.itemsShared);
  });
});
