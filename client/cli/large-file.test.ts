/**
 * A large file from one CLI to another with flat memory: neither process
 * may hold the file (the SDK reads a chunk at a time from a lazy Blob and
 * the receiver writes each chunk as it comes). 256 MiB here so the test
 * stays well under a minute on 2 cores; SHARETHINGS_CLI_TEST_MIB=1024 for
 * 1 GiB (bench/cli-transfer.ts measures that, bench/RESULTS.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { sha256File, startCli, watchPeakRss, writeRepeatedFile } from './test-helpers.ts';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.SHARETHINGS_CLI_TEST_MIB ?? 256);
/** Far below the file's size at 1 GiB; what a process that held even a quarter of it would pass. */
const RSS_LIMIT = 300 * 1000 * 1000;

test(`a ${SIZE_MIB} MiB file goes from send to receive with the same SHA-256 and each process under 300 MB`, async (t) => {
  const server = await startServer(t);
  const work = await tempDir(t);
  const file = path.join(work, 'large.bin');
  await writeRepeatedFile(file, SIZE_MIB * MIB);
  const env = { SHARETHINGS_SERVER: server.url, SHARETHINGS_PASSPHRASE: 'large file test' };

  const sender = startCli(t, ['send', file, '--session', 'large', '--wait', '--json'], { env });
  const senderRss = watchPeakRss(sender.child.pid!);
  await sender.event('waiting');
  const out = path.join(work, 'out');
  const started = performance.now();
  const receiver = startCli(t, ['receive', 'large', '--out', out, '--json'], { env });
  const receiverRss = watchPeakRss(receiver.child.pid!);
  const [sendCode, receiveCode] = await Promise.all([sender.exited, receiver.exited]);
  const seconds = (performance.now() - started) / 1000;
  const peaks = { sender: senderRss.stop(), receiver: receiverRss.stop() };
  assert.deepEqual([sendCode, receiveCode], [0, 0], `${sender.stderr()}\n${receiver.stderr()}`);

  t.diagnostic(`${SIZE_MIB} MiB in ${seconds.toFixed(1)} s (${((SIZE_MIB * MIB) / 1e6 / seconds).toFixed(0)} MB/s, from the receiver's start, key derivation included)`);
  t.diagnostic(`peak RSS: sender ${(peaks.sender / 1e6).toFixed(0)} MB, receiver ${(peaks.receiver / 1e6).toFixed(0)} MB`);
  assert.equal(await sha256File(path.join(out, 'large.bin')), await sha256File(file));
  assert.ok(peaks.sender > 0 && peaks.sender < RSS_LIMIT, `sender peak RSS ${peaks.sender}`);
  assert.ok(peaks.receiver > 0 && peaks.receiver < RSS_LIMIT, `receiver peak RSS ${peaks.receiver}`);
});
