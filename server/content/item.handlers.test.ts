import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { collect, connect, flush, join, joinAs, nextEvent, startServer, tempDir, type ClientSocket, type TestServer } from '../testing/harness.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function share(socket: ClientSocket, sessionId: string, contentId: string, chunks: Uint8Array[]) {
  const ack = await socket.emitWithAck('content', {
    sessionId,
    content: { contentId, totalChunks: chunks.length, encryptedDescriptor: randomBytes(256), iv: randomBytes(12) },
  });
  assert.equal(ack.success, true, JSON.stringify(ack));
  await Promise.all(
    chunks.map(async (encryptedData, chunkIndex) => {
      const res = await socket.emitWithAck('chunk', {
        sessionId,
        chunk: { contentId, chunkIndex, totalChunks: chunks.length, encryptedData, iv: randomBytes(12) },
      });
      assert.equal(res.success, true, JSON.stringify(res));
    }),
  );
}

async function fetchAll(socket: ClientSocket, sessionId: string, contentId: string, totalChunks: number) {
  const parts: Uint8Array[] = [];
  for (let chunkIndex = 0; chunkIndex < totalChunks; chunkIndex++) {
    const res = await socket.emitWithAck('fetch-chunk', { sessionId, contentId, chunkIndex });
    assert.ok(res.success, JSON.stringify(res));
    parts.push(res.chunk.encryptedData);
  }
  return parts;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

test('a late joiner gets every earlier item, newest first, and can fetch its chunks', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'hist', 'Alice');
  const sent = {
    a: [randomBytes(1000)],
    b: [randomBytes(70_000), randomBytes(5)],
    c: [randomBytes(300_000), randomBytes(300_000), randomBytes(1)],
  };
  for (const [id, chunks] of Object.entries(sent)) await share(alice.socket, 'hist', id, chunks);

  const bob = await joinAs(t, server, 'hist', 'Bob');
  assert.deepEqual(bob.ack.history.items.map((i) => i.contentId), ['c', 'b', 'a']);
  assert.equal(bob.ack.history.hasMore, false);
  assert.ok(bob.ack.history.items.every((i) => i.complete && i.senderName === 'Alice'));
  for (const [id, chunks] of Object.entries(sent)) {
    const fetched = await fetchAll(bob.socket, 'hist', id, chunks.length);
    assert.deepEqual(fetched.map(sha256), chunks.map(sha256));
  }
});

test('history pages reach every item, pinned first', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'pages', 'Alice');
  for (let i = 0; i < 120; i++) await share(alice.socket, 'pages', `item-${i}`, []);
  await alice.socket.emitWithAck('pin-content', { sessionId: 'pages', contentId: 'item-3', pinned: true });
  const seen: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await alice.socket.emitWithAck('list-content', { sessionId: 'pages', limit: 50, ...(before ? { before } : {}) });
    assert.ok(page.success);
    seen.push(...page.items.map((i) => i.contentId));
    if (!page.hasMore) break;
    before = page.items[page.items.length - 1]!.contentId;
  }
  assert.equal(seen.length, 120);
  assert.equal(new Set(seen).size, 120);
  assert.equal(seen[0], 'item-3');
  assert.equal(seen[1], 'item-119');
  assert.equal(seen[119], 'item-0');
});

test('remove, pin, rename and clear reach every member and survive a restart', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startServer(t, { DATA_DIR: dataDir });
  const alice = await joinAs(t, first, 'ops', 'Alice');
  const bob = await joinAs(t, first, 'ops', 'Bob');
  for (const id of ['keep', 'pin-me', 'rename-me', 'remove-me']) await share(alice.socket, 'ops', id, [randomBytes(100)]);

  const removed = nextEvent(bob.socket, 'content-removed');
  assert.deepEqual(await alice.socket.emitWithAck('remove-content', { sessionId: 'ops', contentId: 'remove-me' }), { success: true });
  assert.deepEqual(await removed, { sessionId: 'ops', contentId: 'remove-me' });

  const pinned = nextEvent(bob.socket, 'content-updated');
  await alice.socket.emitWithAck('pin-content', { sessionId: 'ops', contentId: 'pin-me', pinned: true });
  assert.equal((await pinned).item.pinned, true);

  const newName = { encryptedName: randomBytes(256), iv: randomBytes(12) };
  const renamed = nextEvent(alice.socket, 'content-updated');
  await bob.socket.emitWithAck('rename-content', { sessionId: 'ops', contentId: 'rename-me', ...newName });
  assert.equal(sha256((await renamed).item.name!.encryptedName), sha256(newName.encryptedName));

  await first.app.close();
  const second = await startServer(t, { DATA_DIR: dataDir });
  const carol = await joinAs(t, second, 'ops', 'Carol');
  const items = carol.ack.history.items;
  assert.deepEqual(items.map((i) => i.contentId), ['pin-me', 'rename-me', 'keep']);
  assert.equal(items[0]!.pinned, true);
  assert.equal(sha256(items[1]!.name!.encryptedName), sha256(newName.encryptedName));

  const dave = await joinAs(t, second, 'ops', 'Dave');
  const cleared = nextEvent(dave.socket, 'content-cleared');
  assert.deepEqual(await carol.socket.emitWithAck('clear-content', { sessionId: 'ops' }), { success: true, removed: 3 });
  assert.deepEqual(await cleared, { sessionId: 'ops' });
  await second.app.close();
  const third = await startServer(t, { DATA_DIR: dataDir });
  assert.deepEqual((await joinAs(t, third, 'ops', 'Erin')).ack.history.items, []);
});

test('ids that could name a path are refused with INVALID_PAYLOAD and the store is untouched', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'safe', 'Alice');
  await share(alice.socket, 'safe', 'item', [randomBytes(10)]);
  const before = await listFiles(server.dataDir);
  const hostile = ['..', '../x', '/etc/passwd', 'C:\\x', 'a\u0000b', 'x'.repeat(65), 'x'.repeat(100_000), '', '.', 'a/b', '%2e%2e'];
  const events = ['remove-content', 'cancel-content', 'fetch-chunk', 'pin-content', 'rename-content', 'resume-upload'] as const;
  for (const bad of hostile) {
    for (const sessionId of [bad, 'safe']) {
      const contentId = sessionId === bad ? 'item' : bad;
      const base = { sessionId, contentId, chunkIndex: 0, pinned: true, encryptedName: randomBytes(16), iv: randomBytes(12), resumeToken: randomBytes(32) };
      for (const event of events) {
        const ack = await (alice.socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<{ success: boolean; code?: string }> }).emitWithAck(event, base);
        assert.equal(ack.code, 'INVALID_PAYLOAD', `${event} ${JSON.stringify(bad).slice(0, 20)}`);
      }
    }
    for (const ack of [
      await alice.socket.emitWithAck('clear-content', { sessionId: bad }),
      await alice.socket.emitWithAck('list-content', { sessionId: 'safe', before: bad }),
    ]) {
      assert.equal(!ack.success && ack.code, 'INVALID_PAYLOAD');
    }
  }
  assert.deepEqual(await listFiles(server.dataDir), before);
});

test('a member of one session cannot read, remove, pin or rename items of another', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'session-a', 'Alice');
  const mallory = await joinAs(t, server, 'session-b', 'Mallory');
  await share(alice.socket, 'session-a', 'private', [randomBytes(100)]);
  const attempts = [
    mallory.socket.emitWithAck('fetch-chunk', { sessionId: 'session-a', contentId: 'private', chunkIndex: 0 }),
    mallory.socket.emitWithAck('list-content', { sessionId: 'session-a' }),
    mallory.socket.emitWithAck('remove-content', { sessionId: 'session-a', contentId: 'private' }),
    mallory.socket.emitWithAck('pin-content', { sessionId: 'session-a', contentId: 'private', pinned: true }),
    mallory.socket.emitWithAck('rename-content', { sessionId: 'session-a', contentId: 'private', encryptedName: randomBytes(16), iv: randomBytes(12) }),
    mallory.socket.emitWithAck('clear-content', { sessionId: 'session-a' }),
  ];
  for (const ack of await Promise.all(attempts)) assert.equal(!ack.success && ack.code, 'NOT_IN_SESSION');
  // Naming the other session's item from one's own session finds nothing.
  const own = await mallory.socket.emitWithAck('fetch-chunk', { sessionId: 'session-b', contentId: 'private', chunkIndex: 0 });
  assert.equal(!own.success && own.code, 'NOT_FOUND');
  const bob = await joinAs(t, server, 'session-a', 'Bob');
  assert.deepEqual(bob.ack.history.items.map((i) => [i.contentId, i.pinned, i.name]), [['private', false, undefined]]);
});

test('per-session quotas answer QUOTA_EXCEEDED and are shown on join', async (t) => {
  const server = await startServer(t, { SESSION_MAX_ITEMS: '2', SESSION_QUOTA_BYTES: '5000' });
  const alice = await joinAs(t, server, 'quota', 'Alice');
  assert.deepEqual(alice.ack.quota, { usedBytes: 0, maxBytes: 5000, usedItems: 0, maxItems: 2, maxItemBytes: 5 * 1024 ** 3 });
  await share(alice.socket, 'quota', 'one', []);
  const bob = collect((await joinAs(t, server, 'quota', 'Bob')).socket, 'content-cancelled');
  const big = await alice.socket.emitWithAck('content', {
    sessionId: 'quota',
    content: { contentId: 'two', totalChunks: 1, encryptedDescriptor: randomBytes(256), iv: randomBytes(12) },
  });
  assert.equal(big.success, true);
  const chunk = await alice.socket.emitWithAck('chunk', {
    sessionId: 'quota',
    chunk: { contentId: 'two', chunkIndex: 0, totalChunks: 1, encryptedData: randomBytes(6000), iv: randomBytes(12) },
  });
  assert.equal(!chunk.success && chunk.code, 'QUOTA_EXCEEDED');
  await share(alice.socket, 'quota', 'three', []);
  const fourth = await alice.socket.emitWithAck('content', {
    sessionId: 'quota',
    content: { contentId: 'four', totalChunks: 0, encryptedDescriptor: randomBytes(256), iv: randomBytes(12) },
  });
  assert.equal(!fourth.success && fourth.code, 'QUOTA_EXCEEDED');
  const carol = await joinAs(t, server, 'quota', 'Carol');
  assert.equal(carol.ack.quota.usedItems, 2);
  assert.deepEqual(carol.ack.history.items.map((i) => i.contentId), ['three', 'one']);
  assert.equal(bob.length, 1);
});

test('an expired session is deleted with everything in it by the sweep', async (t) => {
  const server = await startServer(t, { SESSION_TTL: '1s', SWEEP_INTERVAL: '100ms' });
  const alice = await joinAs(t, server, 'short-lived', 'Alice', 'old passphrase');
  await share(alice.socket, 'short-lived', 'old', [randomBytes(1000)]);
  // While a member is connected the session stays alive, whatever its age.
  for (let sweeps = 0; sweeps < 12; sweeps++) assert.equal((await once(server.app.sweeper, 'swept'))[0].expiredSessions, 0);
  await alice.socket.emitWithAck('leave', { sessionId: 'short-lived' });
  for (;;) {
    const [result] = await once(server.app.sweeper, 'swept');
    if (result.expiredSessions === 1) break;
  }
  assert.deepEqual(await listFiles(path.join(server.dataDir, 'sessions')), []);
  const newcomer = await joinAs(t, server, 'short-lived', 'Bob', 'new passphrase');
  assert.equal(newcomer.ack.created, true);
  assert.deepEqual(newcomer.ack.history.items, []);
});

test('an upload abandoned past the bound is discarded and the others are told', async (t) => {
  const server = await startServer(t, { UPLOAD_ABANDON_AFTER: '300ms', SWEEP_INTERVAL: '100ms' });
  const alice = await joinAs(t, server, 'abandon', 'Alice');
  const bob = await joinAs(t, server, 'abandon', 'Bob');
  await alice.socket.emitWithAck('content', {
    sessionId: 'abandon',
    content: { contentId: 'half', totalChunks: 2, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
  });
  await alice.socket.emitWithAck('chunk', {
    sessionId: 'abandon',
    chunk: { contentId: 'half', chunkIndex: 0, totalChunks: 2, encryptedData: randomBytes(100), iv: randomBytes(12) },
  });
  const cancelled = nextEvent(bob.socket, 'content-cancelled');
  alice.socket.disconnect();
  assert.deepEqual(await cancelled, { sessionId: 'abandon', contentId: 'half', code: 'CANCELLED' });
  const list = await bob.socket.emitWithAck('list-content', { sessionId: 'abandon' });
  assert.deepEqual(list.success && list.items, []);
});

test('a sender resumes an upload from a new connection with its token, and only with it', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'resume', 'Alice');
  const resumeToken = randomBytes(32);
  const chunks = [randomBytes(1000), randomBytes(1000), randomBytes(500)];
  await alice.socket.emitWithAck('content', {
    sessionId: 'resume',
    content: { contentId: 'r1', totalChunks: 3, encryptedDescriptor: randomBytes(64), iv: randomBytes(12), resumeToken },
  });
  await alice.socket.emitWithAck('chunk', {
    sessionId: 'resume',
    chunk: { contentId: 'r1', chunkIndex: 1, totalChunks: 3, encryptedData: chunks[1]!, iv: randomBytes(12) },
  });
  alice.socket.disconnect();

  const again = (await joinAs(t, server, 'resume', 'Alice')).socket;
  const wrong = await again.emitWithAck('resume-upload', { sessionId: 'resume', contentId: 'r1', resumeToken: randomBytes(32) });
  assert.equal(!wrong.success && wrong.code, 'UNAUTHORIZED');
  const resumed = await again.emitWithAck('resume-upload', { sessionId: 'resume', contentId: 'r1', resumeToken });
  assert.deepEqual(resumed, { success: true, missing: [0, 2] });
  for (const chunkIndex of [0, 2]) {
    const ack = await again.emitWithAck('chunk', {
      sessionId: 'resume',
      chunk: { contentId: 'r1', chunkIndex, totalChunks: 3, encryptedData: chunks[chunkIndex]!, iv: randomBytes(12) },
    });
    assert.equal(ack.success, true);
  }
  const fetched = await fetchAll(again, 'resume', 'r1', 3);
  assert.deepEqual(fetched.map(sha256), chunks.map(sha256));
  const list = await again.emitWithAck('list-content', { sessionId: 'resume' });
  assert.equal(list.success && list.items[0]!.complete, true);
});
