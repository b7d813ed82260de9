/**
 * Many requests waiting on one AbortSignal (every upload on the connection-lost
 * signal, every chunk of an upload or a fetch on its transfer's signal) must
 * not pile listeners onto it: Node warns at 11 (MaxListenersExceededWarning).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../server/testing/harness.ts';
import type { ReceivedItem } from './index.ts';
import { newClient, randomData, sha256 } from './test-helpers.ts';

const KiB = 1024;

test('20 concurrent shares refused for now by a low server limit, and their reading back, raise no MaxListenersExceededWarning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));

  // 2 MiB per 200 ms and connection: 16 fetches at once (each weighing 256 KiB), and the chunks of
  // 16 uploads at once when they come fast, are refused with RATE_LIMITED and sent after the wait stated.
  const server = await startServer(t, { BYTES_PER_SOCKET: String(2 * 1024 * KiB), EVENT_WINDOW: '200ms' });
  const alice = newClient(t, server.url, 'Alice', { chunkSize: 8 * KiB });
  await alice.join('many-shares', 'test passphrase');
  const files = Array.from({ length: 20 }, () => randomData(128 * KiB));
  // More shares than the server allows uploads at once (16): the rest wait for a slot.
  const shares = files.map((data, index) => alice.shareFile(data, { name: `file-${index}.bin`, type: 'application/octet-stream' }));
  const results = await Promise.allSettled(shares);
  assert.deepEqual(results.map((result) => result.status), files.map(() => 'fulfilled'));

  // A late joiner fetches every chunk of an item, 16 at a time, under the same limit.
  const bob = newClient(t, server.url, 'Bob', { prefetchBytes: 0 }); // only the item read is fetched
  const { history } = await bob.join('many-shares', 'test passphrase');
  const item = history.items.find((candidate) => candidate.contentId === shares[0]!.contentId) as ReceivedItem;
  assert.equal(sha256(await item.bytes()), sha256(files[0]!));
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^sharethings_errors_total\{code="RATE_LIMITED",node="local"\} [1-9]/m, 'requests were refused for now, and sent again');

  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  const leaks = warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning');
  assert.deepEqual(leaks.map((warning) => warning.message), []);
});
