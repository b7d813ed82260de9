/**
 * The smoke run of bench/transfer.ts. The benchmark checks the SHA-256 of
 * every transfer itself and fails the run otherwise; this also checks the
 * figures it reports besides the headline one.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';
import { formatSize } from './lib/format.ts';
import { DEFAULT_CHUNK_SIZE } from '../client/sdk/index.ts';

it('"transfer" reports positive numbers, the peak RSS of sender, server and receiver, and compares sizes', async () => {
  const { report, row } = await checkSmokeRun(benchmark('transfer'), ['--sizes', '1m,2m', '--sweep-size', '1m', '--sweep-chunks', '64k']);
  const chunk = formatSize(DEFAULT_CHUNK_SIZE);
  assert.deepEqual(report.cases, [`1 MiB @ ${chunk}`, `2 MiB @ ${chunk}`, '1 MiB @ 64 KiB']);
  for (const kase of report.cases) {
    for (const variant of ['ws-raw', 'ws-file-gcm', 'sdk']) {
      const { details } = row(kase, variant);
      for (const key of ['senderPeakRssMiB', 'serverPeakRssMiB', 'receiverPeakRssMiB']) {
        assert.ok((details[key] ?? 0) > 10, `${kase} / ${variant}: ${key} = ${details[key]}`);
      }
    }
  }
  assert.ok(report.notes.some((note) => note.startsWith('sdk peak RSS 1 MiB -> 2 MiB')), report.notes.join('\n'));
  // The SDK's ratio to the baseline doing the same essential work (raw ws + file append + AES-GCM at both ends).
  for (const kase of report.cases) assert.ok((row(kase, 'sdk').details.vsWsFileGcm ?? 0) > 0, kase);
});
