/**
 * A slow receiver does not slow the others down, nor make the server buffer
 * without bound: the server stops pushing to it (chunk-available instead) and
 * it fetches those chunks from the store at its own pace. A receiver whose
 * link keeps up but whose reader does not is sent each chunk once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { tempDir } from '../../server/testing/harness.ts';
import { metric, peakRss, startThrottleProxy } from '../../server/testing/fixed-port.ts';
import { spawnServer } from '../../server/testing/server-process.ts';
import { webCryptoChunkCipher, type ChunkCipher } from './chunk-cipher.ts';
import { DEFAULT_RECEIVE_BUFFER_BYTES } from './options.ts';
import { MiB, TEST_CHUNK_SIZE, hashStream, newClient, next, randomData, sha256 } from './test-helpers.ts';

const SIZE = 200 * MiB;
const SLOW_RATE = 1024 * 1024; // bytes per second, link and reader alike
const RSS_BOUND = 300 * MiB;

test('While 200 MB is shared, a receiver reading at 1 MB/s neither slows the fast one nor swells the server', async (t) => {
  const dataDir = await tempDir(t);
  const server = await spawnServer(t, { DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const proxy = await startThrottleProxy(t, server.port, SLOW_RATE);
  const alice = newClient(t, server.url, 'Alice');
  const fast = newClient(t, server.url, 'Fast');
  const slow = newClient(t, proxy.url, 'Slow');
  for (const client of [alice, fast, slow]) await client.join('uneven', 'test passphrase');

  const data = randomData(SIZE);
  const expected = sha256(data);
  let throttled = true;
  const started = performance.now();
  const fastRead = next(fast, 'content').then(hashStream).then((result) => ({ ...result, seconds: (performance.now() - started) / 1000 }));
  const slowRead = next(slow, 'content').then(async (item) => {
    // A consumer that takes a second per MiB while throttled (then catches up at full speed).
    const hash = createHash('sha256');
    let maxBuffered = 0;
    let whileThrottled = 0;
    for await (const chunk of item.stream()) {
      hash.update(chunk);
      maxBuffered = Math.max(maxBuffered, item.bufferedBytes);
      if (throttled) {
        whileThrottled += chunk.length;
        await new Promise((resolve) => setTimeout(resolve, (chunk.length / SLOW_RATE) * 1000));
      }
    }
    return { digest: hash.digest('hex'), maxBuffered, whileThrottled, seconds: (performance.now() - started) / 1000 };
  });

  await alice.shareFile(data, { name: 'big.bin', type: 'application/octet-stream' });
  const shared = (performance.now() - started) / 1000;
  const fastResult = await fastRead;
  // Only now does the slow receiver get a fast link (and reader).
  const forwardedWhileThrottled = proxy.forwarded;
  throttled = false;
  proxy.setRate(Infinity);
  const slowResult = await slowRead;
  const deferred = await metric(server.url, 'sharethings_chunks_deferred_total');
  const fetched = await metric(server.url, 'sharethings_requests_total', { event: 'fetch-chunk' });
  const rss = await peakRss(server.child.pid!);

  t.diagnostic(
    `200 MiB: shared in ${shared.toFixed(1)} s; fast receiver done at ${fastResult.seconds.toFixed(1)} s ` +
      `(${(200 / fastResult.seconds).toFixed(0)} MiB/s); slow receiver done at ${slowResult.seconds.toFixed(1)} s ` +
      `(${(slowResult.whileThrottled / MiB).toFixed(1)} MiB read and ${(forwardedWhileThrottled / MiB).toFixed(1)} MiB through its link while throttled); ` +
      `${deferred} chunks deferred, ${fetched} fetched; server peak RSS ${(rss / MiB).toFixed(0)} MiB; ` +
      `slow receiver held at most ${(slowResult.maxBuffered / MiB).toFixed(1)} MiB`,
  );
  assert.equal(fastResult.digest, expected);
  assert.equal(slowResult.digest, expected);
  // Held to the slow one's pace, the fast receiver would have needed 200 s.
  assert.ok(fastResult.seconds < 60, `the fast receiver was not held back (${fastResult.seconds.toFixed(1)} s)`);
  assert.ok(slowResult.seconds > fastResult.seconds, 'the slow receiver finished later');
  assert.ok(forwardedWhileThrottled < SIZE / 2, 'the slow link really was slow');
  assert.ok(deferred > 0, 'the server deferred chunks for the slow receiver');
  assert.ok(fetched >= deferred, 'and the slow receiver fetched them');
  assert.ok(slowResult.maxBuffered <= 16 * MiB, 'the slow receiver held at most its receive buffer');
  assert.ok(rss < RSS_BOUND, `server peak RSS ${(rss / MiB).toFixed(0)} MiB < ${RSS_BOUND / MiB} MiB`);
});

test('A receiver whose reader is slower than the sender is pushed chunks until it falls a buffer behind, then fetches the rest, each once', async (t) => {
  const size = 48 * MiB;
  const readRate = 16 * MiB; // bytes per second: the sender uploads several times faster
  const dataDir = await tempDir(t);
  const server = await spawnServer(t, { DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  let opened = 0;
  const counting: ChunkCipher = {
    seal: webCryptoChunkCipher.seal,
    open: (...args) => {
      opened++;
      return webCryptoChunkCipher.open(...args);
    },
  };
  const alice = newClient(t, server.url, 'Alice');
  const bob = newClient(t, server.url, 'Bob', { chunkCipher: counting });
  for (const client of [alice, bob]) await client.join('slow-reader', 'test passphrase');

  const data = randomData(size);
  const read = next(bob, 'content').then(async (item) => {
    const hash = createHash('sha256');
    for await (const chunk of item.stream()) {
      hash.update(chunk);
      await new Promise((resolve) => setTimeout(resolve, (chunk.length / readRate) * 1000));
    }
    return hash.digest('hex');
  });
  await alice.shareFile(data, { name: 'big.bin', type: 'application/octet-stream' });
  assert.equal(await read, sha256(data));

  const chunks = size / TEST_CHUNK_SIZE;
  const buffer = DEFAULT_RECEIVE_BUFFER_BYTES / TEST_CHUNK_SIZE;
  const deferred = await metric(server.url, 'sharethings_chunks_deferred_total');
  const fetched = await metric(server.url, 'sharethings_requests_total', { event: 'fetch-chunk' });
  t.diagnostic(`${chunks} chunks: ${deferred} held back and ${fetched} fetched; ${opened} opened by the receiver`);
  assert.ok(fetched > 0, 'the reader fell behind and fetched');
  // Only chunks pushed before it began to catch up were dropped and fetched again (fetch-chunk
  // requests that failed count too); pushed after that as well, nearly every chunk past the first
  // buffer came twice.
  assert.ok(fetched - deferred <= buffer, `fetched ${fetched}, of which ${deferred} held back`);
  assert.ok(opened <= chunks + buffer, `${opened} chunks opened for ${chunks}`);
});
