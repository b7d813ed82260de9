import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { collect, connect, flush, joinAs, nextEvent, startServer, type ClientSocket } from '../testing/harness.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function header(contentId: string, totalChunks: number) {
  return { contentId, totalChunks, encryptedDescriptor: randomBytes(300), iv: randomBytes(12) };
}

function chunk(contentId: string, chunkIndex: number, totalChunks: number, size = 1024) {
  return { contentId, chunkIndex, totalChunks, encryptedData: randomBytes(size), iv: randomBytes(12) };
}

async function threeInRoom(t: Parameters<typeof startServer>[0], env: Record<string, string> = {}) {
  const server = await startServer(t, env);
  const alice = await joinAs(t, server, 'room', 'Alice');
  const bob = await joinAs(t, server, 'room', 'Bob');
  const carol = await joinAs(t, server, 'room', 'Carol');
  const outsider = await joinAs(t, server, 'other-room', 'Mallory');
  return { server, alice: alice.socket, bob: bob.socket, carol: carol.socket, outsider: outsider.socket };
}

test('content reaches every other member, not the sender nor other sessions', async (t) => {
  const { alice, bob, carol, outsider } = await threeInRoom(t);
  const aliceSeen = collect(alice, 'content');
  const outsiderSeen = collect(outsider, 'content');
  const atBob = nextEvent(bob, 'content');
  const atCarol = nextEvent(carol, 'content');
  const sent = header('item-1', 0);
  const data = randomBytes(500);
  const ack = await alice.emitWithAck('content', { sessionId: 'room', content: sent, data });
  assert.deepEqual(ack, { success: true, contentId: 'item-1' });

  for (const received of [await atBob, await atCarol]) {
    assert.equal(received.sessionId, 'room');
    assert.equal(received.content.contentId, 'item-1');
    assert.equal(received.content.senderId, alice.id);
    assert.equal(received.content.senderName, 'Alice');
    assert.equal(typeof received.content.timestamp, 'number');
    assert.equal(sha256(received.content.encryptedDescriptor), sha256(sent.encryptedDescriptor));
    assert.equal(sha256(received.content.iv), sha256(sent.iv));
    assert.equal(sha256(received.data!), sha256(data));
  }
  await flush(alice);
  await flush(outsider);
  assert.deepEqual(aliceSeen, []);
  assert.deepEqual(outsiderSeen, []);
});

test('chunks reach every other member with identical bytes, in order', async (t) => {
  const { alice, bob, carol, outsider } = await threeInRoom(t);
  const outsiderSeen = collect(outsider, 'chunk');
  const aliceSeen = collect(alice, 'chunk');
  const total = 5;
  const chunks = Array.from({ length: total }, (_, i) => chunk('file-1', i, total, 200_000 + i));
  const receivedBy = (socket: ClientSocket) =>
    new Promise<Uint8Array[]>((resolve) => {
      const got: Uint8Array[] = [];
      socket.on('chunk', ({ chunk: c, senderId }) => {
        assert.equal(senderId, alice.id);
        assert.equal(c.chunkIndex, got.length);
        got.push(c.encryptedData);
        if (got.length === total) resolve(got);
      });
    });
  const atBob = receivedBy(bob);
  const atCarol = receivedBy(carol);
  await alice.emitWithAck('content', { sessionId: 'room', content: header('file-1', total) });
  const acks = await Promise.all(chunks.map((c) => alice.emitWithAck('chunk', { sessionId: 'room', chunk: c })));
  assert.deepEqual(
    acks,
    chunks.map((c) => ({ success: true, contentId: 'file-1', chunkIndex: c.chunkIndex })),
  );
  for (const got of [await atBob, await atCarol]) {
    assert.deepEqual(got.map(sha256), chunks.map((c) => sha256(c.encryptedData)));
  }
  await flush(outsider);
  await flush(alice);
  assert.deepEqual(outsiderSeen, []);
  assert.deepEqual(aliceSeen, []);
});

test('content and chunks from a non-member answer NOT_IN_SESSION and reach nobody', async (t) => {
  const { server, bob } = await threeInRoom(t);
  const bobSeen = collect(bob, 'content');
  const stranger = await connect(t, server);
  const contentAck = await stranger.emitWithAck('content', { sessionId: 'room', content: header('x', 0) });
  assert.equal(!contentAck.success && contentAck.code, 'NOT_IN_SESSION');
  const chunkAck = await stranger.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('x', 0, 1) });
  assert.equal(!chunkAck.success && chunkAck.code, 'NOT_IN_SESSION');
  await flush(bob);
  assert.deepEqual(bobSeen, []);
});

test('a member of one session cannot send into another it has not joined', async (t) => {
  const { outsider, bob } = await threeInRoom(t);
  const bobSeen = collect(bob, 'content');
  const ack = await outsider.emitWithAck('content', { sessionId: 'room', content: header('y', 0) });
  assert.equal(!ack.success && ack.code, 'NOT_IN_SESSION');
  await flush(bob);
  assert.deepEqual(bobSeen, []);
});

test('a chunk for an item never announced answers NOT_FOUND', async (t) => {
  const { alice } = await threeInRoom(t);
  const ack = await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('ghost', 0, 1) });
  assert.equal(!ack.success && ack.code, 'NOT_FOUND');
});

test('a chunk for another sender\'s item answers NOT_FOUND', async (t) => {
  const { alice, bob } = await threeInRoom(t);
  await alice.emitWithAck('content', { sessionId: 'room', content: header('alices', 2) });
  const ack = await bob.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('alices', 0, 2) });
  assert.equal(!ack.success && ack.code, 'NOT_FOUND');
});

test('a reused content id answers CONFLICT', async (t) => {
  const { alice } = await threeInRoom(t);
  await alice.emitWithAck('content', { sessionId: 'room', content: header('dup', 3) });
  const ack = await alice.emitWithAck('content', { sessionId: 'room', content: header('dup', 3) });
  assert.equal(!ack.success && ack.code, 'CONFLICT');
});

test('a chunk count that differs from the announced one answers INVALID_PAYLOAD', async (t) => {
  const { alice } = await threeInRoom(t);
  await alice.emitWithAck('content', { sessionId: 'room', content: header('count', 3) });
  const ack = await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('count', 0, 4) });
  assert.equal(!ack.success && ack.code, 'INVALID_PAYLOAD');
});

test('an item growing past MAX_ITEM_BYTES is refused while streaming', async (t) => {
  const { alice, bob } = await threeInRoom(t, { MAX_ITEM_BYTES: '3000' });
  const bobChunks = collect(bob, 'chunk');
  await alice.emitWithAck('content', { sessionId: 'room', content: header('big', 4) });
  const first = await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('big', 0, 4, 2000) });
  assert.equal(first.success, true);
  const second = await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('big', 1, 4, 2000) });
  assert.equal(!second.success && second.code, 'PAYLOAD_TOO_LARGE');
  // The chunks still on their way when the item was dropped are told why, whichever answer comes first.
  const third = await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('big', 2, 4, 10) });
  assert.equal(!third.success && third.code, 'PAYLOAD_TOO_LARGE');
  await flush(bob);
  assert.equal(bobChunks.length, 1);
});

test('a repeated chunk is acknowledged but relayed once', async (t) => {
  const { alice, bob } = await threeInRoom(t);
  const bobChunks = collect(bob, 'chunk');
  await alice.emitWithAck('content', { sessionId: 'room', content: header('again', 2) });
  const c = chunk('again', 0, 2);
  assert.equal((await alice.emitWithAck('chunk', { sessionId: 'room', chunk: c })).success, true);
  assert.equal((await alice.emitWithAck('chunk', { sessionId: 'room', chunk: c })).success, true);
  await flush(bob);
  assert.equal(bobChunks.length, 1);
});

test('malformed content and chunks answer INVALID_PAYLOAD', async (t) => {
  const { alice } = await threeInRoom(t);
  const badContent: unknown[] = [
    { sessionId: 'room', content: { ...header('a', 0), iv: randomBytes(11) } },
    { sessionId: 'room', content: { ...header('a', 0), encryptedDescriptor: 'text' } },
    { sessionId: 'room', content: { ...header('a/b', 0) } },
    { sessionId: 'room', content: { ...header('a', -1) } },
    { sessionId: 'room', content: { ...header('a', 1.5) } },
    { sessionId: 'room', content: header('a', 0), data: 'not binary' },
    { sessionId: 'room' },
  ];
  for (const payload of badContent) {
    const ack = await alice.emitWithAck('content', payload as never);
    assert.equal(!ack.success && ack.code, 'INVALID_PAYLOAD', JSON.stringify(payload));
  }
  const badChunks: unknown[] = [
    { sessionId: 'room', chunk: { ...chunk('a', 2, 2) } },
    { sessionId: 'room', chunk: { ...chunk('a', 0, 0) } },
    { sessionId: 'room', chunk: { ...chunk('a', 0, 1), encryptedData: [1, 2, 3] } },
    { sessionId: 'room', chunk: { ...chunk('a', 0, 1), iv: randomBytes(16) } },
    { sessionId: 'room', chunk: { ...chunk('a', 0, 1, 1024 * 1024 + 17) } },
    { sessionId: 'room', chunk: null },
  ];
  for (const payload of badChunks) {
    const ack = await alice.emitWithAck('chunk', payload as never);
    assert.equal(!ack.success && ack.code, 'INVALID_PAYLOAD');
  }
});

test('members see an upload progress and its completion; the sender hears of completion too', async (t) => {
  const { alice, bob } = await threeInRoom(t);
  const progress = nextEvent(bob, 'upload-progress');
  const completeAtBob = nextEvent(bob, 'content-complete');
  const completeAtAlice = nextEvent(alice, 'content-complete');
  await alice.emitWithAck('content', { sessionId: 'room', content: header('tracked', 3) });
  for (let i = 0; i < 3; i++) await alice.emitWithAck('chunk', { sessionId: 'room', chunk: chunk('tracked', i, 3) });
  assert.deepEqual(await progress, { sessionId: 'room', contentId: 'tracked', receivedChunks: 1, totalChunks: 3 });
  assert.deepEqual(await completeAtBob, { sessionId: 'room', contentId: 'tracked' });
  assert.deepEqual(await completeAtAlice, { sessionId: 'room', contentId: 'tracked' });
});
