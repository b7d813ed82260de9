import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { joinAs, tempDir } from './testing/harness.ts';
import { asTestServer, spawnServer } from './testing/server-process.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const CHUNK = 256 * 1024;
const TOTAL = 200; // 50 MiB

test('kill -9 during a 50 MB upload: after a restart no chunk is corrupt and the upload resumes to completion', async (t) => {
  const dataDir = await tempDir(t);
  const env = { DATA_DIR: dataDir };
  const first = await spawnServer(t, env);
  const alice = await joinAs(t, asTestServer(first, dataDir), 'crash', 'Alice');
  const resumeToken = randomBytes(32);
  const chunks = Array.from({ length: TOTAL }, () => ({ encryptedData: randomBytes(CHUNK), iv: randomBytes(12) }));
  const header = { contentId: 'big', totalChunks: TOTAL, encryptedDescriptor: randomBytes(256), iv: randomBytes(12), resumeToken };
  assert.equal((await alice.socket.emitWithAck('content', { sessionId: 'crash', content: header })).success, true);

  // Send with a window of 8; kill the server once about half is acknowledged.
  const acked = new Set<number>();
  let next = 0;
  await new Promise<void>((resolve) => {
    const sendOne = () => {
      const chunkIndex = next++;
      if (chunkIndex >= TOTAL) return;
      alice.socket
        .timeout(10_000)
        .emitWithAck('chunk', { sessionId: 'crash', chunk: { contentId: 'big', chunkIndex, totalChunks: TOTAL, ...chunks[chunkIndex]! } })
        .then((ack) => {
          if (!ack.success) return;
          acked.add(chunkIndex);
          if (acked.size === TOTAL / 2) {
            void first.kill9().then(resolve);
            return;
          }
          sendOne();
        }, () => undefined);
    };
    for (let i = 0; i < 8; i++) sendOne();
  });
  alice.socket.disconnect();

  const second = await spawnServer(t, env);
  const bob = await joinAs(t, asTestServer(second, dataDir), 'crash', 'Bob');
  const [item] = bob.ack.history.items;
  assert.ok(item, 'the unfinished item is listed');
  assert.equal(item.complete, false);
  assert.ok(item.receivedChunks >= acked.size, `stored ${item.receivedChunks}, acknowledged ${acked.size}`);

  // Every stored chunk is exactly what was sent; every acknowledged chunk is stored.
  for (let chunkIndex = 0; chunkIndex < TOTAL; chunkIndex++) {
    const res = await bob.socket.emitWithAck('fetch-chunk', { sessionId: 'crash', contentId: 'big', chunkIndex });
    if (res.success) {
      assert.equal(sha256(res.chunk.encryptedData), sha256(chunks[chunkIndex]!.encryptedData), `chunk ${chunkIndex}`);
      assert.equal(sha256(res.chunk.iv), sha256(chunks[chunkIndex]!.iv));
    } else {
      assert.equal(res.code, 'NOT_FOUND');
      assert.ok(!acked.has(chunkIndex), `acknowledged chunk ${chunkIndex} was lost`);
    }
  }

  // The sender comes back and resumes from exactly what is missing.
  const again = await joinAs(t, asTestServer(second, dataDir), 'crash', 'Alice');
  const resumed = await again.socket.emitWithAck('resume-upload', { sessionId: 'crash', contentId: 'big', resumeToken });
  assert.ok(resumed.success, JSON.stringify(resumed));
  assert.equal(resumed.missing.length, TOTAL - item.receivedChunks);
  assert.ok(resumed.missing.every((i) => !acked.has(i)));
  for (const chunkIndex of resumed.missing) {
    const ack = await again.socket.emitWithAck('chunk', {
      sessionId: 'crash',
      chunk: { contentId: 'big', chunkIndex, totalChunks: TOTAL, ...chunks[chunkIndex]! },
    });
    assert.equal(ack.success, true);
  }
  const list = await bob.socket.emitWithAck('list-content', { sessionId: 'crash' });
  assert.ok(list.success && list.items[0]!.complete);
  const hash = createHash('sha256');
  for (let chunkIndex = 0; chunkIndex < TOTAL; chunkIndex++) {
    const res = await bob.socket.emitWithAck('fetch-chunk', { sessionId: 'crash', contentId: 'big', chunkIndex });
    assert.ok(res.success);
    hash.update(res.chunk.encryptedData);
  }
  const expected = createHash('sha256');
  for (const chunk of chunks) expected.update(chunk.encryptedData);
  assert.equal(hash.digest('hex'), expected.digest('hex'));
});

test('kill -9 with an unfinished upload nobody resumes: it is discarded after the bound', async (t) => {
  const dataDir = await tempDir(t);
  const env = { DATA_DIR: dataDir, UPLOAD_ABANDON_AFTER: '500ms', SWEEP_INTERVAL: '100ms' };
  const first = await spawnServer(t, env);
  const alice = await joinAs(t, asTestServer(first, dataDir), 'crash2', 'Alice');
  await alice.socket.emitWithAck('content', {
    sessionId: 'crash2',
    content: { contentId: 'left', totalChunks: 3, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
  });
  await alice.socket.emitWithAck('chunk', {
    sessionId: 'crash2',
    chunk: { contentId: 'left', chunkIndex: 0, totalChunks: 3, encryptedData: randomBytes(1000), iv: randomBytes(12) },
  });
  await first.kill9();
  alice.socket.disconnect();

  const second = await spawnServer(t, env);
  const bob = await joinAs(t, asTestServer(second, dataDir), 'crash2', 'Bob');
  if (bob.ack.history.items.length > 0) {
    assert.equal(bob.ack.history.items[0]!.complete, false);
    const cancelled = await new Promise((resolve) => bob.socket.once('content-cancelled', resolve));
    assert.deepEqual(cancelled, { sessionId: 'crash2', contentId: 'left', code: 'CANCELLED' });
  }
  const list = await bob.socket.emitWithAck('list-content', { sessionId: 'crash2' });
  assert.deepEqual(list.success && list.items, []);
});
