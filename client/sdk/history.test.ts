/**
 * History: items stored before a client joined reach it through the join
 * result and history() paging, and are read on demand with fetch-chunk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../../server/testing/harness.ts';
import { MiB, hashStream, newClient, next, randomData, sha256 } from './test-helpers.ts';
import type { ReceivedItem } from './index.ts';

/** Counts fetch-chunk requests per content id, and which chunks the server pushed to whom. */
function tap(server: TestServer) {
  const fetches = new Map<string, number[]>();
  const pushed = new Map<string, Map<string, Set<number>>>(); // socket id -> content id -> chunk indices
  server.app.io.on('connection', (socket) => {
    socket.onAny((event: string, payload: { contentId?: string; chunkIndex?: number }) => {
      if (event !== 'fetch-chunk' || typeof payload?.contentId !== 'string') return;
      const list = fetches.get(payload.contentId) ?? [];
      list.push(payload.chunkIndex!);
      fetches.set(payload.contentId, list);
    });
    socket.onAnyOutgoing((event: string, payload: { chunk?: { contentId: string; chunkIndex: number } }) => {
      if (event !== 'chunk' || !payload?.chunk) return;
      const bySocket = pushed.get(socket.id) ?? new Map<string, Set<number>>();
      pushed.set(socket.id, bySocket);
      const set = bySocket.get(payload.chunk.contentId) ?? new Set<number>();
      bySocket.set(payload.chunk.contentId, set);
      set.add(payload.chunk.chunkIndex);
    });
  });
  return { fetches, pushed };
}

test('A client joining after three items were shared gets them from the join history and reads each intact', async (t) => {
  const server = await startServer(t);
  const { fetches } = tap(server);
  const alice = newClient(t, server.url, 'Alice');
  await alice.join('later', 'test passphrase');
  const text = 'Shared before Bob came: ünïcödé ✓';
  const image = randomData(150_000);
  image.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // a PNG signature, for looks
  const file = randomData(5 * MiB + 123);
  const first = await alice.shareText(text, { name: 'note' });
  const second = await alice.shareFile(image, { name: 'photo.png', type: 'image/png', width: 640, height: 480 });
  const third = await alice.shareFile(file, { name: 'report.bin', type: 'application/octet-stream' });

  // A small receive buffer, so reading the 5 MB item has to slide a window along it.
  const bob = newClient(t, server.url, 'Bob', { receiveBufferBytes: MiB });
  const downloads = new Map<string, number>();
  bob.on('progress', (p) => p.direction === 'download' && downloads.set(p.contentId, p.bytes));
  const info = await bob.join('later', 'test passphrase');

  assert.equal(info.history.hasMore, false);
  const [f, i, x] = info.history.items as [ReceivedItem, ReceivedItem, ReceivedItem];
  assert.deepEqual(info.history.items.map((item) => item.contentId), [third.contentId, second.contentId, first.contentId], 'newest first');
  assert.deepEqual([x.kind, x.name, x.size], ['text', 'note', Buffer.byteLength(text)]);
  assert.deepEqual([i.kind, i.name, i.mimeType, i.size, i.width, i.height], ['image', 'photo.png', 'image/png', image.length, 640, 480]);
  assert.deepEqual([f.kind, f.name, f.size], ['file', 'report.bin', file.length]);
  for (const item of info.history.items) {
    assert.equal(item.senderName, 'Alice');
    assert.equal(item.pinned, false);
    assert.equal(item.complete, true, 'stored in full: complete before anything is read');
    await item.received;
  }
  // Nothing of the 5 MB item was fetched before someone reads it (the image is small enough to be prefetched).
  assert.equal(fetches.get(f.contentId), undefined);

  assert.equal(await x.text(), text);
  assert.equal(sha256(await i.bytes()), sha256(image));
  const read = await hashStream(f);
  assert.equal(read.digest, sha256(file));
  assert.ok(read.maxBuffered <= MiB, `held at most the 1 MiB buffer (held ${read.maxBuffered})`);
  // Each chunk fetched exactly once, and the inline text needed no fetch at all.
  assert.deepEqual([...(fetches.get(f.contentId) ?? [])].sort((a, b) => a - b), Array.from({ length: 21 }, (_, n) => n));
  assert.deepEqual(fetches.get(i.contentId), [0]);
  assert.equal(fetches.get(x.contentId), undefined);
  assert.equal(downloads.get(f.contentId), file.length);
});

test('history({ before }) pages through 120 items, each reachable once, pinned first and then newest first', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server.url, 'Alice');
  await alice.join('paged', 'test passphrase');
  const ids: string[] = [];
  for (let n = 0; n < 120; n++) ids.push((await alice.shareText(`item ${n}`)).contentId);
  const pinned = [5, 50, 100];
  for (const n of pinned) await alice.pin(ids[n]!, true);

  const bob = newClient(t, server.url, 'Bob');
  const info = await bob.join('paged', 'test passphrase');
  assert.equal(info.history.items.length, 50);
  assert.equal(info.history.hasMore, true);
  const seen: ReceivedItem[] = [...info.history.items];
  let page = info.history;
  const limits = [37, 50, 200];
  while (page.hasMore) {
    page = await bob.history({ before: seen.at(-1)!.contentId, limit: limits.shift() ?? 50 });
    seen.push(...page.items);
  }
  assert.equal(seen.length, 120);
  assert.equal(new Set(seen.map((item) => item.contentId)).size, 120, 'no item twice');
  const expected = [
    ...pinned.map((n) => ids[n]!).reverse(),
    ...ids.map((id, n) => ({ id, n })).filter(({ n }) => !pinned.includes(n)).map(({ id }) => id).reverse(),
  ];
  assert.deepEqual(seen.map((item) => item.contentId), expected);
  assert.deepEqual(seen.slice(0, 3).map((item) => item.pinned), [true, true, true]);
  assert.ok(seen.slice(3).every((item) => !item.pinned));
  const texts = await Promise.all(seen.map((item) => item.text()));
  assert.deepEqual(texts, expected.map((id) => `item ${ids.indexOf(id)}`));
});

test('A client that joins mid-upload fetches exactly the chunks stored before it came and is pushed the rest', async (t) => {
  const server = await startServer(t);
  const { fetches, pushed } = tap(server);
  const alice = newClient(t, server.url, 'Alice');
  await alice.join('midway', 'test passphrase');
  const data = randomData(8 * MiB);
  let bobIn!: () => void;
  const bobJoined = new Promise<void>((resolve) => (bobIn = resolve));
  t.after(() => bobIn());
  async function* halfThenRest() {
    yield data.subarray(0, 4 * MiB);
    await bobJoined;
    yield data.subarray(4 * MiB);
  }
  const uploadedHalf = next(alice, 'progress', (p) => p.direction === 'upload' && p.bytes >= 4 * MiB);
  const share = alice.shareFile(halfThenRest(), { name: 'midway.bin', type: '', size: data.length });
  await uploadedHalf;

  const bob = newClient(t, server.url, 'Bob');
  const info = await bob.join('midway', 'test passphrase');
  const [item] = info.history.items as [ReceivedItem];
  assert.equal(item.contentId, share.contentId);
  assert.equal(item.complete, false, 'still uploading');
  const reading = hashStream(item);
  const completed = next(bob, 'content-complete', (c) => c.contentId === share.contentId);
  bobIn();
  await share;
  await completed;
  assert.equal((await reading).digest, sha256(data));
  assert.equal(item.complete, true);

  const fetched = [...(fetches.get(share.contentId) ?? [])].sort((a, b) => a - b);
  const pushedToBob = pushed.get(bob.id!)?.get(share.contentId) ?? new Set<number>();
  assert.ok(fetched.length >= 16, `the first half came from the store (${fetched.length} fetched)`);
  assert.ok(pushedToBob.size >= 16, `the second half was pushed (${pushedToBob.size} pushed)`);
  // Exactly the chunks not pushed to Bob were fetched, each once.
  const notPushed = Array.from({ length: 32 }, (_, n) => n).filter((n) => !pushedToBob.has(n));
  assert.deepEqual(fetched, notPushed);
});
