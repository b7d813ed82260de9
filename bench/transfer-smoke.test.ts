/**
 * The smoke run of bench/transfer.ts. The benchmark checks the SHA-256 of
 * every transfer itself and fails the run otherwise; this also checks the
 * figures it reports besides the headline one.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"transfer" reports positive numbers, the peak RSS of sender, server and receiver, and compares sizes', async () => {
  const { report, row } = await checkSmokeRun(benchmark('transfer'), ['--sizes', '1m,2m', '--sweep-size', '1m', '--sweep-chunks', '64k']);
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
