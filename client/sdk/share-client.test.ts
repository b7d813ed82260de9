import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encryptChunk, encryptDescriptor } from '../../protocol/crypto/index.ts';
import { connect, joinAs, nextEvent, startServer, testKeys, type TestServer } from '../../server/testing/harness.ts';
import { ShareClient, type ReceivedItem, type ShareClientEvents, type ShareClientOptions } from './index.ts';
import { next } from './test-helpers.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function newClient(t: TestContext, server: TestServer, clientName: string, options: Partial<ShareClientOptions> = {}) {
  const client = new ShareClient({
    url: server.url,
    clientName,
    deriveKeys: testKeys,
    socketOptions: { transports: ['websocket'], reconnection: false },
    ...options,
  });
  t.after(() => client.close());
  return client;
}

async function joined(t: TestContext, server: TestServer, sessionId: string, names: string[], passphrase = 'test passphrase') {
  const clients: ShareClient[] = [];
  for (const name of names) {
    const client = newClient(t, server, name);
    await client.join(sessionId, passphrase);
    clients.push(client);
  }
  return clients;
}


function collect<K extends keyof ShareClientEvents>(client: ShareClient, event: K): ShareClientEvents[K][] {
  const seen: ShareClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

function lastProgress(client: ShareClient, direction: 'upload' | 'download') {
  const last = new Map<string, { bytes: number; total: number }>();
  client.on('progress', (p) => {
    if (p.direction === direction) last.set(p.contentId, { bytes: p.bytes, total: p.total });
  });
  return last;
}

test('Text from Alice reaches Bob and Carol but not Alice herself', async (t) => {
  const server = await startServer(t);
  const [alice, bob, carol] = await joined(t, server, 'room', ['Alice', 'Bob', 'Carol']);
  const atAlice = collect(alice!, 'content');
  const atBob = next(bob!, 'content');
  const atCarol = next(carol!, 'content');
  const text = 'Hello from Alice: ünïcödé ✓ and a "quote"\n';

  const { contentId } = await alice!.shareText(text, { name: 'greeting' });

  for (const item of [await atBob, await atCarol]) {
    assert.equal(item.contentId, contentId);
    assert.equal(item.senderId, alice!.id);
    assert.equal(item.senderName, 'Alice');
    assert.equal(typeof item.timestamp, 'number');
    assert.equal(item.kind, 'text');
    assert.equal(item.name, 'greeting');
    assert.equal(item.mimeType, 'text/plain;charset=utf-8');
    assert.equal(item.size, Buffer.byteLength(text));
    assert.equal(await item.text(), text);
    await item.received;
  }
  // Alice's share resolved on the server's ack, which follows any relay to her.
  assert.deepEqual(atAlice, []);
});

test('Long text travels in chunks and still arrives as text', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room', ['Alice', 'Bob']);
  const atBob = next(bob!, 'content');
  const text = 'λ'.repeat(100_000); // 200,000 UTF-8 bytes: too long to go inline
  await alice!.shareText(text);
  const item = await atBob;
  assert.equal(item.kind, 'text');
  assert.equal(item.size, 200_000);
  assert.equal(await item.text(), text);
});

async function transferLargeFile(t: TestContext, asIterable: boolean) {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'big', ['Alice', 'Bob']);
  const data = new Uint8Array(randomBytes(50 * MiB));
  const expected = sha256(data);
  const sent = lastProgress(alice!, 'upload');
  const received = lastProgress(bob!, 'download');
  const options = { name: 'big file.bin', type: 'application/x-test' };

  const hashed = next(bob!, 'content').then(async (item: ReceivedItem) => {
    const hash = createHash('sha256');
    let maxBuffered = 0;
    for await (const chunk of item.stream()) {
      hash.update(chunk);
      maxBuffered = Math.max(maxBuffered, item.bufferedBytes);
    }
    return { item, digest: hash.digest('hex'), maxBuffered };
  });

  const started = performance.now();
  const share = asIterable
    ? alice!.shareFile(oddPieces(data), { ...options, size: data.length })
    : alice!.shareFile(data, options);
  const { contentId } = await share;
  const { item, digest, maxBuffered } = await hashed;
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`50 MiB ${asIterable ? 'iterable' : 'Uint8Array'}: ${seconds.toFixed(2)} s, ${(50 / seconds).toFixed(1)} MiB/s; receiver buffered at most ${(maxBuffered / MiB).toFixed(1)} MiB`);

  assert.equal(digest, expected);
  assert.equal(item.contentId, contentId);
  assert.equal(item.name, 'big file.bin');
  assert.equal(item.mimeType, 'application/x-test');
  assert.equal(item.kind, 'file');
  assert.equal(item.size, data.length);
  assert.deepEqual(sent.get(contentId), { bytes: data.length, total: data.length });
  assert.deepEqual(received.get(contentId), { bytes: data.length, total: data.length });
}

/** Pieces of awkward sizes, copied into one reused buffer as a stream reader might do. */
async function* oddPieces(data: Uint8Array): AsyncGenerator<Uint8Array> {
  const sizes = [1, 4093, 65_537, 300_001, 7, 262_144];
  const scratch = new Uint8Array(Math.max(...sizes));
  for (let at = 0, i = 0; at < data.length; i++) {
    const length = Math.min(sizes[i % sizes.length]!, data.length - at);
    scratch.set(data.subarray(at, at + length));
    yield scratch.subarray(0, length);
    at += length;
  }
}

test('A 50 MiB file given as a Uint8Array arrives intact with progress to the total on both sides', async (t) => {
  await transferLargeFile(t, false);
});

test('A 50 MiB file given as an async iterable of odd-sized pieces arrives intact', async (t) => {
  await transferLargeFile(t, true);
});

test('A wrong passphrase is refused with UNAUTHORIZED; the right one joins the existing session', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server, 'Alice');
  const mallory = newClient(t, server, 'Mallory');
  const bob = newClient(t, server, 'Bob');

  const first = await alice.join('locked', 'right passphrase');
  assert.equal(first.created, true);
  assert.match(first.fingerprint, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await assert.rejects(mallory.join('locked', 'wrong passphrase'), { code: 'UNAUTHORIZED' });
  assert.equal(mallory.sessionId, undefined);
  const second = await bob.join('locked', 'right passphrase');
  assert.equal(second.created, false);
  assert.equal(second.fingerprint, first.fingerprint);
  assert.deepEqual(second.clients.map((c) => c.name).sort(), ['Alice', 'Bob']);
});

test('A client in another session receives nothing', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room-a', ['Alice', 'Bob']);
  const [dave] = await joined(t, server, 'room-b', ['Dave']);
  const atDave = collect(dave!, 'content');
  const atBob = collect(bob!, 'content');
  const bothAtBob = new Promise<void>((resolve) => bob!.on('content', () => atBob.length === 2 && resolve()));

  await alice!.shareText('for room a only');
  await alice!.shareFile(new Uint8Array(randomBytes(300_000)), { name: 'a.bin', type: 'application/octet-stream' });
  await bothAtBob;
  // A round trip of Dave's own: anything relayed to him before it has arrived by now.
  await dave!.shareText('dave was here');
  assert.equal(atBob.length, 2);
  assert.deepEqual(atDave, []);
});

test('A recorded join message replayed on another connection is refused', async (t) => {
  const server = await startServer(t);
  const recorded: Array<Record<string, unknown>> = [];
  server.app.io.on('connection', (socket) =>
    socket.onAny((event: string, payload: Record<string, unknown>) => {
      if (event !== 'join') return;
      const { verifier, proof } = payload as { verifier: Uint8Array; proof: Uint8Array };
      recorded.push({ ...payload, verifier: Uint8Array.from(verifier), proof: Uint8Array.from(proof) });
    }),
  );
  const alice = newClient(t, server, 'Alice');
  await alice.join('replayed', 'test passphrase');
  assert.equal(recorded.length, 1);
  const join = recorded[0]!;

  // With a challenge of its own, the recorded proof signs the wrong challenge.
  const withChallenge = await connect(t, server);
  const challenge = await withChallenge.emitWithAck('join-challenge', { sessionId: 'replayed' });
  assert.equal(challenge.success, true);
  const replayed = await withChallenge.emitWithAck('join', join as never);
  assert.equal(replayed.success, false);
  assert.equal(!replayed.success && replayed.code, 'UNAUTHORIZED');

  // Without asking for a challenge, there is nothing it could sign.
  const withoutChallenge = await connect(t, server);
  const blind = await withoutChallenge.emitWithAck('join', join as never);
  assert.equal(!blind.success && blind.code, 'UNAUTHORIZED');

  // Control: the same kind of connection with a fresh, properly signed proof gets in.
  const honest = await joinAs(t, server, 'replayed', 'Honest');
  assert.equal(honest.ack.created, false);
});

test('The server never receives the passphrase, the file name, the MIME type or the plaintext', async (t) => {
  const server = await startServer(t);
  const frames: Buffer[] = [];
  server.app.io.engine.on('connection', (conn: { on(event: 'packet', listener: (packet: { data?: unknown }) => void): void }) => {
    conn.on('packet', ({ data }) => {
      if (typeof data === 'string') frames.push(Buffer.from(data, 'utf8'));
      else if (data instanceof Uint8Array) frames.push(Buffer.from(data));
      else if (data instanceof ArrayBuffer) frames.push(Buffer.from(data));
    });
  });
  const passphrase = 'correct horse battery staple';
  const marker = 'PLAINTEXT-MARKER-123';
  const [alice, bob] = await joined(t, server, 'tapped-session', ['Alice', 'Bob'], passphrase);
  const items = new Promise<ReceivedItem[]>((resolve) => {
    const seen: ReceivedItem[] = [];
    bob!.on('content', (item) => seen.push(item) === 2 && resolve(seen));
  });
  await alice!.shareText(marker);
  const file = Buffer.from(`%PDF-1.7\n${marker}\n${'x'.repeat(5000)}\n%%EOF\n`);
  await alice!.shareFile(new Uint8Array(file), { name: 'secret-plans.pdf', type: 'application/pdf' });
  const [text, pdf] = await items;
  assert.equal(await text!.text(), marker);
  assert.equal(pdf!.name, 'secret-plans.pdf');
  assert.equal(sha256(await pdf!.bytes()), sha256(file));

  const inbound = Buffer.concat(frames);
  assert.ok(inbound.length > file.length, 'the tap saw the traffic');
  assert.ok(inbound.includes('tapped-session'), 'the tap sees what is sent in clear');
  for (const secret of [passphrase, 'secret-plans.pdf', marker, 'application/pdf']) {
    // The whole string and every 8-character piece of it, in every frame.
    for (let at = 0; at + 8 <= secret.length; at++) {
      const piece = secret.slice(at, at + 8);
      for (const frame of frames) assert.ok(!frame.includes(piece), `the server received "${piece}" of "${secret}"`);
    }
    assert.ok(!inbound.includes(secret));
  }
});

test('Cancelling an upload midway tells the receiver and rejects the share with CANCELLED', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room', ['Alice', 'Bob']);
  const data = new Uint8Array(randomBytes(4 * MiB));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  async function* halfThenWait() {
    yield data.subarray(0, 2 * MiB);
    await gate; // never opened before the cancel: the upload stops midway
    yield data.subarray(2 * MiB);
  }
  const reading = next(bob!, 'content').then((item) => item.bytes());
  reading.catch(() => {});
  const halfway = next(bob!, 'progress', (p) => p.direction === 'download' && p.bytes === 2 * MiB);
  const toldBob = next(bob!, 'content-cancelled');
  const controller = new AbortController();

  const share = alice!.shareFile(halfThenWait(), { name: 'half.bin', type: 'application/octet-stream', size: data.length, signal: controller.signal });
  share.catch(() => {});
  await halfway;
  controller.abort();

  await assert.rejects(share, { code: 'CANCELLED' });
  await assert.rejects(reading, { code: 'CANCELLED' });
  assert.deepEqual(await toldBob, { contentId: share.contentId, code: 'CANCELLED' });
  assert.equal(alice!.cancel(share.contentId), false, 'nothing left to cancel');
});

test('A tampered, moved or missing chunk makes the receiver fail with INTEGRITY', async (t) => {
  const server = await startServer(t);
  const sessionId = 'tamper';
  const bob = newClient(t, server, 'Bob', { stallTimeoutMs: 300 });
  await bob.join(sessionId, 'test passphrase');
  const { socket: rogue } = await joinAs(t, server, sessionId, 'Rogue');
  const keys = await testKeys(sessionId, 'test passphrase');
  const chunkSize = 1000;
  const plain = [new Uint8Array(randomBytes(chunkSize)), new Uint8Array(randomBytes(chunkSize))];
  const errors = collect(bob, 'error');

  async function announce(contentId: string): Promise<ReceivedItem> {
    const descriptor = { kind: 'file' as const, name: 'x.bin', mimeType: '', size: 2 * chunkSize, chunkSize };
    const sealed = await encryptDescriptor(keys.metadataKey, sessionId, contentId, 2, descriptor);
    const item = next(bob, 'content', (i) => i.contentId === contentId);
    const content = { contentId, totalChunks: 2, encryptedDescriptor: sealed.encryptedData, iv: sealed.iv };
    assert.equal((await rogue.emitWithAck('content', { sessionId, content })).success, true);
    return item;
  }
  async function send(contentId: string, sealedIndex: number, sentIndex: number, tamper = false) {
    const parts = { sessionId, contentId, chunkIndex: sealedIndex, totalChunks: 2 };
    const { iv, encryptedData } = await encryptChunk(keys.contentKey, parts, plain[sealedIndex]!);
    if (tamper) encryptedData[10]! ^= 0x01;
    const chunk = { contentId, chunkIndex: sentIndex, totalChunks: 2, encryptedData, iv };
    assert.equal((await rogue.emitWithAck('chunk', { sessionId, chunk })).success, true);
  }

  const flipped = await announce('flipped');
  await send('flipped', 0, 0, true);
  await assert.rejects(flipped.bytes(), { code: 'INTEGRITY' });

  const moved = await announce('moved');
  await send('moved', 1, 0); // chunk 1's ciphertext presented as chunk 0
  await assert.rejects(moved.bytes(), { code: 'INTEGRITY' });

  const missing = await announce('missing');
  await send('missing', 0, 0); // chunk 1 never comes
  await assert.rejects(missing.bytes(), { code: 'INTEGRITY', message: /incomplete/ });

  assert.deepEqual(errors.map((e) => [e.contentId, e.code]), [['flipped', 'INTEGRITY'], ['moved', 'INTEGRITY'], ['missing', 'INTEGRITY']]);
});

test('An async iterable must declare its size and yield exactly that many bytes', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room', ['Alice', 'Bob'], 'test passphrase');
  const cancelled = collect(bob!, 'content-cancelled');
  async function* bytes(count: number) {
    yield new Uint8Array(count);
  }
  const options = { name: 'n.bin', type: 'application/octet-stream' };
  await assert.rejects(alice!.shareFile(bytes(10), options), { code: 'INVALID_PAYLOAD', message: /size is required/ });

  const short = alice!.shareFile(bytes(600_000), { ...options, size: 700_000 });
  await assert.rejects(short, { code: 'INVALID_PAYLOAD', message: /ended after 600000 bytes/ });
  const long = alice!.shareFile(bytes(800_000), { ...options, size: 700_000 });
  await assert.rejects(long, { code: 'INVALID_PAYLOAD', message: /longer than options.size/ });
  // The rejections came after cancel-content was acknowledged; a share's ack is one more round trip.
  await alice!.shareText('flush');
  assert.deepEqual(cancelled.map((c) => c.contentId).sort(), [short.contentId, long.contentId].sort());
});

test('bytes() is cached, stream() then replays it, and a second live reader is refused', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room', ['Alice', 'Bob']);
  const data = new Uint8Array(randomBytes(600_000));
  const items: ReceivedItem[] = [];
  const two = new Promise<void>((resolve) => bob!.on('content', (item) => items.push(item) === 2 && resolve()));
  await alice!.shareFile(data, { name: 'a', type: 'application/octet-stream' });
  await alice!.shareFile(data, { name: 'b', type: 'image/png', width: 3, height: 2 });
  await two;
  const [first, second] = items as [ReceivedItem, ReceivedItem];

  const once = await first.bytes();
  assert.equal(await first.bytes(), once);
  assert.equal(sha256(once), sha256(data));
  const replayed: Uint8Array[] = [];
  for await (const chunk of first.stream()) replayed.push(chunk);
  assert.equal(sha256(Buffer.concat(replayed)), sha256(data));

  assert.equal(second.kind, 'image');
  assert.deepEqual([second.width, second.height], [3, 2]);
  const reader = second.readable().getReader();
  const head = await reader.read();
  assert.equal(head.done, false);
  await assert.rejects(second.bytes(), { code: 'CONFLICT' });
  let total = head.value!.length;
  for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.length;
  assert.equal(total, data.length);
});

test('More concurrent shares than the server allows uploads per connection all complete', async (t) => {
  const server = await startServer(t);
  const [alice, bob] = await joined(t, server, 'room', ['Alice', 'Bob']);
  const count = 24;
  const all = new Promise<ReceivedItem[]>((resolve) => {
    const seen: ReceivedItem[] = [];
    bob!.on('content', (item) => seen.push(item) === count && resolve(seen));
  });
  const files = Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(300_000 + i)));
  const results = await Promise.all(files.map((file, i) => alice!.shareFile(file, { name: `f${i}`, type: '' })));
  const received = await all;
  assert.equal(new Set(results.map((r) => r.contentId)).size, count);
  for (const item of received) {
    const index = Number(item.name.slice(1));
    assert.equal(sha256(await item.bytes()), sha256(files[index]!));
  }
});

test('After a dropped connection the client re-joins on its own and withdraws the upload it cannot resume', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server, 'Alice', { socketOptions: { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 50 } });
  await alice.join('room', 'test passphrase');
  const [bob] = await joined(t, server, 'room', ['Bob']);
  const { socket: observer } = await joinAs(t, server, 'room', 'Observer');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  async function* halfThenWait() {
    yield new Uint8Array(1024 * 1024);
    await gate;
  }
  const reading = next(bob!, 'content').then((item) => item.bytes());
  reading.catch(() => {});
  const halfway = next(bob!, 'progress', (p) => p.direction === 'download' && p.bytes === 1024 * 1024);
  const share = alice.shareFile(halfThenWait(), { name: 'lost.bin', type: '', size: 2 * 1024 * 1024 });
  share.catch(() => {});
  await halfway;
  const oldId = alice.id!;
  const rejoined = next(alice, 'rejoin');
  const attempted = next(alice, 'reconnect-attempt');
  const withdrawn = nextEvent(observer, 'content-cancelled');
  server.app.io.sockets.sockets.get(oldId)!.conn.close(); // a network drop, as the client sees it

  await assert.rejects(share, { code: 'UNAVAILABLE' });
  // The sender dropped: Bob keeps waiting (it could resume) until Alice, back, withdraws the item.
  await assert.rejects(reading, { code: 'CANCELLED', message: /stopped sharing/ });
  assert.equal((await attempted).attempt, 1);
  const info = await rejoined;
  assert.notEqual(alice.id, oldId);
  assert.deepEqual(info.clients.map((c) => c.name).sort(), ['Alice', 'Bob', 'Observer']);
  assert.deepEqual(await withdrawn, { sessionId: 'room', contentId: share.contentId, code: 'CANCELLED' });
  // And the session works as before.
  const atBob = next(bob!, 'content');
  await alice.shareText('back again');
  assert.equal(await (await atBob).text(), 'back again');
});
