/**
 * The cases every ContentStore must pass, run against each backend (the disk
 * store, the Redis + object store one), so the two cannot drift apart.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError, type ErrorCode } from '../../protocol/errors.ts';
import type { ContentStore, ItemRecord, StoredChunk } from './content-store.ts';

const S = 'session-1';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const chunkOf = (size: number): StoredChunk => ({ iv: randomBytes(12), encryptedData: randomBytes(size) });

function item(contentId: string, totalChunks: number, timestamp = 1_000): ItemRecord {
  return { contentId, senderId: 'sender', senderName: 'Alice', timestamp, totalChunks, encryptedDescriptor: randomBytes(64), iv: randomBytes(12), pinned: false };
}

const code = (expected: ErrorCode) => (error: unknown) => error instanceof ProtocolError && error.code === expected;

const NO_LIMITS = { maxItemBytes: Number.MAX_SAFE_INTEGER, maxSessionBytes: Number.MAX_SAFE_INTEGER };

export type OpenStore = (t: TestContext) => Promise<ContentStore>;

export function contentStoreContract(backend: string, open: OpenStore, options: { skip?: string | false } = {}): void {
  const it = (name: string, body: (t: TestContext, store: ContentStore) => Promise<void>) =>
    test(`${backend}: ${name}`, { skip: options.skip ?? false }, async (t) => {
      const store = await open(t);
      await store.createSession(S, randomBytes(32), 1_000);
      await body(t, store);
    });

  it('a session is created once; the verifier stored first stays', async (_t, store) => {
    const second = await store.createSession(S, randomBytes(32), 2_000);
    assert.equal(second.created, false);
    const stored = await store.getSession(S);
    assert.ok(stored);
    assert.equal(sha256(stored.verifier), sha256(second.record.verifier));
    const other = randomBytes(32);
    const made = await store.createSession('other', other, 3_000);
    assert.equal(made.created, true);
    assert.equal(sha256(made.record.verifier), sha256(other));
    assert.equal(await store.sessionCount(), 2);
    assert.equal(await store.getSession('missing'), undefined);
  });

  it('activity steers expiry, and a deleted session takes its items with it', async (_t, store) => {
    await store.createSession('idle', randomBytes(32), 1_000);
    await store.touchSession(S, 50_000);
    assert.deepEqual(await store.idleSessions(10_000), ['idle']);
    await store.addItem(S, item('a', 1));
    await store.putChunk(S, 'a', 0, chunkOf(100));
    await store.deleteSession(S);
    assert.equal(await store.getSession(S), undefined);
    assert.equal(await store.getItem(S, 'a'), undefined);
    assert.equal(await store.getChunk(S, 'a', 0), undefined);
    assert.equal(await store.sessionCount(), 1);
    // The id can be taken anew, empty.
    assert.equal((await store.createSession(S, randomBytes(32), 60_000)).created, true);
    assert.deepEqual((await store.listItems(S, { limit: 10 })).items, []);
  });

  it('items get strictly increasing timestamps; a reused id is a CONFLICT', async (_t, store) => {
    const first = await store.addItem(S, item('a', 0, 5_000));
    const second = await store.addItem(S, item('b', 0, 5_000));
    const third = await store.addItem(S, item('c', 0, 4_000));
    assert.ok(first.timestamp < second.timestamp && second.timestamp < third.timestamp);
    await assert.rejects(store.addItem(S, item('a', 0)), code('CONFLICT'));
    assert.deepEqual(await store.usage(S), { items: 3, bytes: 3 * 64 });
  });

  it('adding past the item count or the bytes of a session is QUOTA_EXCEEDED', async (_t, store) => {
    await store.addItem(S, item('a', 0), { maxItems: 2, maxBytes: 1_000 });
    await store.addItem(S, item('b', 0), { maxItems: 2, maxBytes: 1_000 });
    await assert.rejects(store.addItem(S, item('c', 0), { maxItems: 2, maxBytes: 1_000 }), code('QUOTA_EXCEEDED'));
    await assert.rejects(store.addItem(S, item('d', 0), { maxItems: 10, maxBytes: 150 }), code('QUOTA_EXCEEDED'));
    assert.equal((await store.usage(S)).items, 2);
  });

  it('history pages reach every item once, pinned first, then newest first', async (_t, store) => {
    for (let i = 0; i < 25; i++) await store.addItem(S, item(`i${i}`, 0, 1_000 + i));
    for (const id of ['i3', 'i17']) await store.updateItem(S, id, { pinned: true });
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await store.listItems(S, { limit: 7, ...(after ? { after } : {}) });
      seen.push(...page.items.map((i) => i.contentId));
      const last = page.items.at(-1);
      if (!page.hasMore || !last) break;
      after = last;
    }
    const unpinned = Array.from({ length: 25 }, (_, i) => `i${24 - i}`).filter((id) => id !== 'i3' && id !== 'i17');
    assert.deepEqual(seen, ['i17', 'i3', ...unpinned]);
  });

  it('pin and rename change the item; a missing item is undefined', async (_t, store) => {
    await store.addItem(S, item('a', 0));
    const name = { encryptedName: randomBytes(40), iv: randomBytes(12) };
    const renamed = await store.updateItem(S, 'a', { name });
    assert.equal(sha256(renamed!.name!.encryptedName), sha256(name.encryptedName));
    const pinned = await store.updateItem(S, 'a', { pinned: true });
    assert.equal(pinned!.pinned, true);
    assert.equal(sha256(pinned!.name!.encryptedName), sha256(name.encryptedName));
    assert.equal((await store.getItem(S, 'a'))!.pinned, true);
    assert.equal(await store.updateItem(S, 'missing', { pinned: true }), undefined);
  });

  it('chunks round-trip in any order; a repeat is not added twice; the item completes', async (_t, store) => {
    await store.addItem(S, item('a', 4));
    const chunks = [chunkOf(1000), chunkOf(0), chunkOf(70_000), chunkOf(5)];
    for (const index of [2, 0, 3]) {
      const { item: state, added } = await store.putChunk(S, 'a', index, chunks[index]!);
      assert.equal(added, true);
      assert.equal(state.complete, false);
    }
    assert.deepEqual(await store.missingChunks(S, 'a'), [1]);
    assert.equal(await store.getChunk(S, 'a', 1), undefined);
    assert.equal((await store.putChunk(S, 'a', 0, chunks[0]!)).added, false);
    const { item: { receivedChunks, totalChunks, complete, bytes } } = await store.putChunk(S, 'a', 1, chunks[1]!);
    assert.deepEqual({ receivedChunks, totalChunks, complete, bytes }, {
      receivedChunks: 4, totalChunks: 4, complete: true,
      bytes: 64 + chunks.reduce((sum, c) => sum + c.iv.byteLength + c.encryptedData.byteLength, 0),
    });
    for (let index = 0; index < 4; index++) {
      const stored = await store.getChunk(S, 'a', index);
      assert.equal(sha256(stored!.encryptedData), sha256(chunks[index]!.encryptedData), `chunk ${index}`);
      assert.equal(sha256(stored!.iv), sha256(chunks[index]!.iv));
    }
    assert.deepEqual((await store.getItem(S, 'a'))!.receivedChunks, 4);
    await assert.rejects(store.putChunk(S, 'a', 4, chunkOf(1)), code('INVALID_PAYLOAD'));
  });

  it('a commit names the owner generation: a superseded owner cannot commit, the new one can', async (_t, store) => {
    const added = await store.addItem(S, item('a', 3));
    assert.equal(added.generation, 1);
    await store.putChunk(S, 'a', 0, chunkOf(10), { generation: 1, ...NO_LIMITS });
    const claim = await store.claimUpload(S, 'a', Date.now());
    assert.deepEqual(claim, { generation: 2, missing: [1, 2] });
    await assert.rejects(store.putChunk(S, 'a', 1, chunkOf(10), { generation: 1, ...NO_LIMITS }), code('NOT_FOUND'));
    assert.deepEqual(await store.missingChunks(S, 'a'), [1, 2]);
    await store.putChunk(S, 'a', 1, chunkOf(10), { generation: 2, ...NO_LIMITS });
    const done = await store.putChunk(S, 'a', 2, chunkOf(10), { generation: 2, ...NO_LIMITS });
    assert.equal(done.item.complete, true);
    assert.equal(await store.claimUpload(S, 'a', Date.now()), undefined, 'a complete item has no upload to claim');
    assert.equal(await store.claimUpload(S, 'missing', Date.now()), undefined);
  });

  it('commits past the item size or the session quota are refused, and nothing of them counts', async (_t, store) => {
    await store.addItem(S, item('a', 4));
    const limits = { generation: 1, maxItemBytes: 64 + 2 * 112, maxSessionBytes: 10_000 };
    await store.putChunk(S, 'a', 0, chunkOf(100), limits);
    await store.putChunk(S, 'a', 1, chunkOf(100), limits);
    await assert.rejects(store.putChunk(S, 'a', 2, chunkOf(100), limits), code('PAYLOAD_TOO_LARGE'));
    await store.addItem(S, item('b', 2));
    const quota = { generation: 1, maxItemBytes: 1_000_000, maxSessionBytes: (await store.usage(S)).bytes + 150 };
    await store.putChunk(S, 'b', 0, chunkOf(100), quota);
    await assert.rejects(store.putChunk(S, 'b', 1, chunkOf(100), quota), code('QUOTA_EXCEEDED'));
    assert.deepEqual(await store.missingChunks(S, 'b'), [1]);
  });

  it('an upload that stops moving is stalled; a release restarts its clock; only a still-stalled one is discarded', async (_t, store) => {
    const start = Date.now();
    await store.addItem(S, item('moving', 2, start));
    await store.addItem(S, item('done', 1, start));
    await store.putChunk(S, 'done', 0, chunkOf(10), { generation: 1, ...NO_LIMITS });
    const stalled = (cutoff: number) => store.stalledUploads(cutoff).then((list) => list.map((u) => `${u.sessionId}/${u.contentId}`));
    assert.deepEqual(await stalled(start - 1), []);
    assert.deepEqual(await stalled(start + 60_000), [`${S}/moving`], 'a complete item is no upload');
    await store.releaseUpload(S, 'moving', 1, start + 120_000);
    assert.deepEqual(await stalled(start + 60_000), []);
    assert.equal(await store.discardUpload(S, 'moving', start + 60_000), false, 'released since');
    assert.equal(await store.discardUpload(S, 'moving', start + 180_000), true);
    assert.equal(await store.getItem(S, 'moving'), undefined);
    assert.equal(await store.discardUpload(S, 'done', start + 180_000), false, 'never a complete item');
    assert.equal(await store.discardUpload(S, 'done'), false, 'not even when cancelled');
    assert.equal((await store.usage(S)).items, 1);
  });

  it('the chunk stored first stays: a repeat with other bytes, or a superseded owner writing late, replaces nothing', async (_t, store) => {
    await store.addItem(S, item('a', 3));
    const [one, two] = await Promise.all([
      store.putChunk(S, 'a', 0, chunkOf(500), { generation: 1, ...NO_LIMITS }),
      store.putChunk(S, 'a', 0, chunkOf(500), { generation: 1, ...NO_LIMITS }),
    ]);
    assert.deepEqual([one.added, two.added].sort(), [false, true]);
    // Whichever write was recorded, reads go on returning it.
    const kept = sha256((await store.getChunk(S, 'a', 0))!.encryptedData);
    for (let i = 0; i < 3; i++) assert.equal(sha256((await store.getChunk(S, 'a', 0))!.encryptedData), kept);

    const claim = await store.claimUpload(S, 'a', Date.now());
    const fresh = chunkOf(500);
    await store.putChunk(S, 'a', 1, fresh, { generation: claim!.generation, ...NO_LIMITS });
    // The owner before the claim (a node that hung) writes late: a stored chunk stays as it is...
    const late = await store.putChunk(S, 'a', 1, chunkOf(500), { generation: 1, ...NO_LIMITS });
    assert.equal(late.added, false);
    assert.equal(sha256((await store.getChunk(S, 'a', 1))!.encryptedData), sha256(fresh.encryptedData));
    // ...and a missing one is refused.
    await assert.rejects(store.putChunk(S, 'a', 2, chunkOf(500), { generation: 1, ...NO_LIMITS }), code('NOT_FOUND'));
    assert.deepEqual(await store.missingChunks(S, 'a'), [2]);
  });

  it('the last chunk sent again after the item completed is a repeat, and a complete item is never discarded', async (_t, store) => {
    await store.addItem(S, item('a', 2));
    const chunks = [chunkOf(100), chunkOf(100)];
    await store.putChunk(S, 'a', 0, chunks[0]!, { generation: 1, ...NO_LIMITS });
    assert.equal((await store.putChunk(S, 'a', 1, chunks[1]!, { generation: 1, ...NO_LIMITS })).item.complete, true);
    // E.g. its acknowledgement was lost to a timeout and the sender tries again.
    const again = await store.putChunk(S, 'a', 1, chunks[1]!, { generation: 1, ...NO_LIMITS });
    assert.deepEqual([again.added, again.item.complete], [false, true]);
    assert.equal(await store.discardUpload(S, 'a'), false);
    assert.equal((await store.getItem(S, 'a'))!.complete, true);
  });

  it('an expiring session is kept if it was active since it was listed', async (_t, store) => {
    await store.touchSession(S, 5_000);
    assert.equal(await store.deleteSession(S, 4_000), false);
    assert.ok(await store.getSession(S));
    assert.equal(await store.deleteSession(S, 6_000), true);
    assert.equal(await store.getSession(S), undefined);
  });

  it('a removed item is gone for reads and writes, and its bytes leave the usage', async (_t, store) => {
    await store.addItem(S, item('a', 2));
    await store.putChunk(S, 'a', 0, chunkOf(500));
    await store.addItem(S, item('b', 0));
    assert.equal(await store.removeItem(S, 'a'), true);
    assert.equal(await store.removeItem(S, 'a'), false);
    assert.equal(await store.getChunk(S, 'a', 0), undefined);
    await assert.rejects(store.putChunk(S, 'a', 1, chunkOf(10)), code('NOT_FOUND'));
    assert.deepEqual(await store.usage(S), { items: 1, bytes: 64 });
    assert.equal(await store.clearItems(S), 1);
    assert.deepEqual(await store.usage(S), { items: 0, bytes: 0 });
    // The session goes on after a clear.
    await store.addItem(S, item('c', 1));
    await store.putChunk(S, 'c', 0, chunkOf(10));
    assert.equal((await store.getItem(S, 'c'))!.complete, true);
    await store.purgeDeleted();
  });
}
