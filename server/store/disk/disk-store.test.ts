import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, cp, mkdir, readdir, readFile, readlink, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtocolError } from '../../../protocol/errors.ts';
import { createLogger } from '../../log.ts';
import { tempDir } from '../../testing/harness.ts';
import type { StoredChunk } from '../content-store.ts';
import { encodeHead, openLogHandles, RECORD_HEADER_BYTES } from './chunk-log.ts';
import { DiskStore } from './disk-store.ts';
import { DiskPaths } from './paths.ts';
import { KILL_ITEM, KILL_SESSION, killWriterChunk } from './testing/kill-chunks.ts';
import { assertChunk, chunkOf, item, logPath, recordSize, S } from './testing/store-fixtures.ts';

const quiet = createLogger('error', () => undefined);
const READ_IDLE_MS = 30;
const readHandlesClosed = () => new Promise((resolve) => setTimeout(resolve, READ_IDLE_MS * 3));

async function openStore(t: TestContext, dataDir: string, options: { fsync?: boolean; maxOpenLogs?: number } = {}) {
  const store = new DiskStore(dataDir, {
    fsync: options.fsync ?? false,
    log: quiet,
    readIdleMs: READ_IDLE_MS,
    ...(options.maxOpenLogs ? { maxOpenLogs: options.maxOpenLogs } : {}),
  });
  await store.open();
  t.after(() => store.close());
  return store;
}

async function withSession(t: TestContext, dataDir: string, options: { fsync?: boolean; maxOpenLogs?: number } = {}) {
  const store = await openStore(t, dataDir, options);
  await store.createSession(S, randomBytes(32), 1_000);
  return store;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** File descriptors of this process that point into `dir` (Linux). */
async function fdsInto(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const found: string[] = [];
  for (const fd of await readdir('/proc/self/fd').catch(() => [] as string[])) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(root)) found.push(target);
  }
  return found;
}

async function assertNoHandles(dataDir: string, store: DiskStore) {
  assert.equal(store.openLogs(), 0, 'chunk logs with an open handle');
  assert.equal(openLogHandles(), 0, 'chunk-log file handles open');
  assert.deepEqual(await fdsInto(dataDir), [], 'descriptors into the data directory');
}

const isNotFound = (error: unknown) => error instanceof ProtocolError && error.code === 'NOT_FOUND';

test('chunks round-trip in any order, each one record, and the handle closes when the item completes', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir);
  await store.addItem(S, item('a', 4));
  const chunks = [chunkOf(1000), chunkOf(0), chunkOf(70_000), chunkOf(5)];
  for (const index of [2, 0, 3]) {
    const { item: state, added } = await store.putChunk(S, 'a', index, chunks[index]!);
    assert.equal(added, true);
    assert.equal(state.complete, false);
  }
  assert.equal(store.openLogs(), 1, 'the log stays open while the upload is in progress');
  assert.equal((await fdsInto(dataDir)).length, 1);
  assert.deepEqual(await store.missingChunks(S, 'a'), [1]);
  await assertChunk(store, 'a', 1, undefined);
  const last = await store.putChunk(S, 'a', 1, chunks[1]!);
  assert.equal(last.item.complete, true);
  assert.equal(last.item.receivedChunks, 4);
  assert.equal(last.item.bytes, 64 + chunks.reduce((sum, c) => sum + c.iv.byteLength + c.encryptedData.byteLength, 0));
  await assertNoHandles(dataDir, store);
  // Reads of the complete item open one read-only handle, closed once they stop.
  for (let index = 0; index < 4; index++) await assertChunk(store, 'a', index, chunks[index]);
  await Promise.all([0, 1, 2, 3, 0, 1].map((index) => assertChunk(store, 'a', index, chunks[index])));
  assert.equal(store.openLogs(), 1);
  assert.equal((await fdsInto(dataDir)).length, 1);
  await readHandlesClosed();
  await assertNoHandles(dataDir, store);
  assert.equal((await stat(logPath(dataDir, 'a'))).size, chunks.reduce((sum, c) => sum + recordSize(c), 0));
  // No per-chunk files or directories: item.json and the log.
  const itemDir = path.dirname(logPath(dataDir, 'a'));
  assert.deepEqual((await readdir(itemDir)).sort(), ['chunks.log', 'item.json']);
});

test('a log cut at every byte offset of its last record recovers exactly the complete records', async (t) => {
  for (const fsync of [false, true]) {
    const base = await tempDir(t);
    const chunks = [chunkOf(300), chunkOf(200), chunkOf(100)];
    {
      const store = await withSession(t, base, { fsync });
      await store.addItem(S, item('cut', 3));
      await store.putChunk(S, 'cut', 0, chunks[0]!);
      await store.putChunk(S, 'cut', 1, chunks[1]!);
      await store.close();
    }
    const full = (await stat(logPath(base, 'cut'))).size;
    const lastStart = recordSize(chunks[0]!);
    assert.equal(full, lastStart + recordSize(chunks[1]!));
    for (let keep = lastStart; keep <= full; keep++) {
      const dataDir = await tempDir(t);
      await cp(base, dataDir, { recursive: true });
      await truncate(logPath(dataDir, 'cut'), keep);
      const store = await openStore(t, dataDir, { fsync });
      const whole = keep === full;
      const state = await store.getItem(S, 'cut');
      assert.equal(state?.receivedChunks, whole ? 2 : 1, `fsync ${fsync}, ${keep} of ${full} bytes`);
      assert.deepEqual(await store.missingChunks(S, 'cut'), whole ? [2] : [1, 2]);
      await assertChunk(store, 'cut', 0, chunks[0]);
      await assertChunk(store, 'cut', 1, whole ? chunks[1] : undefined);
      assert.equal((await stat(logPath(dataDir, 'cut'))).size, whole ? full : lastStart, 'the incomplete record is cut off');
      // The upload can be resumed from there.
      if (!whole) await store.putChunk(S, 'cut', 1, chunks[1]!);
      assert.equal((await store.putChunk(S, 'cut', 2, chunks[2]!)).item.complete, true);
      for (let index = 0; index < 3; index++) await assertChunk(store, 'cut', index, chunks[index]);
      await store.close();
      await assertNoHandles(dataDir, store);
    }
  }
});

test('garbage after the valid records is dropped, whatever it looks like', async (t) => {
  const base = await tempDir(t);
  const chunks = [chunkOf(500), chunkOf(500), chunkOf(500)];
  {
    const store = await withSession(t, base);
    await store.addItem(S, item('g', 3));
    await store.putChunk(S, 'g', 0, chunks[0]!);
    await store.putChunk(S, 'g', 1, chunks[1]!);
    await store.close();
  }
  const valid = (await stat(logPath(base, 'g'))).size;
  const header = encodeHead(2, chunks[2]!.iv, chunks[2]!.encryptedData, false);
  const badCrc = Buffer.from(header);
  badCrc[8] = 1; // index changed, header CRC no longer matches
  const outOfRange = encodeHead(7, chunks[2]!.iv, chunks[2]!.encryptedData, false);
  const garbage: Record<string, Buffer> = {
    random: randomBytes(1000),
    zeros: Buffer.alloc(4096),
    'a few bytes': Buffer.from([1, 2, 3]),
    'header claiming more data than there is': Buffer.concat([header, chunks[2]!.encryptedData.subarray(0, 499)]),
    'header with a wrong CRC': Buffer.concat([badCrc, chunks[2]!.encryptedData]),
    'index past totalChunks': Buffer.concat([outOfRange, chunks[2]!.encryptedData]),
    'garbage, then a valid record': Buffer.concat([randomBytes(10), header, chunks[2]!.encryptedData]),
  };
  for (const [what, bytes] of Object.entries(garbage)) {
    const dataDir = await tempDir(t);
    await cp(base, dataDir, { recursive: true });
    await appendFile(logPath(dataDir, 'g'), bytes);
    const store = await openStore(t, dataDir);
    assert.equal((await store.getItem(S, 'g'))?.receivedChunks, 2, what);
    assert.deepEqual(await store.missingChunks(S, 'g'), [2], what);
    assert.equal((await stat(logPath(dataDir, 'g'))).size, valid, what);
    await assertChunk(store, 'g', 0, chunks[0]);
    await assertChunk(store, 'g', 1, chunks[1]);
    assert.equal((await store.putChunk(S, 'g', 2, chunks[2]!)).item.complete, true);
    await store.close();
    const again = await openStore(t, dataDir);
    for (let index = 0; index < 3; index++) await assertChunk(again, 'g', index, chunks[index]);
  }
});

test('duplicates: a repeated chunk is written once, and in a log the first record of an index wins', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir);
  await store.addItem(S, item('d', 3));
  const first = chunkOf(1000);
  // The same chunk sent several times at once: one record, one "added".
  const results = await Promise.all([first, first, chunkOf(1000), first].map((c) => store.putChunk(S, 'd', 0, c)));
  assert.deepEqual(results.map((r) => r.added), [true, false, false, false]);
  assert.equal((await store.putChunk(S, 'd', 0, chunkOf(1000))).added, false);
  await assertChunk(store, 'd', 0, first);
  await store.close();
  // Closed: a direct write's padding is cut off, and one record is left.
  assert.equal((await stat(logPath(dataDir, 'd'))).size, recordSize(first));

  // A second record for index 0 (as an interrupted migration could leave), then index 1.
  const other = chunkOf(1000);
  const second = chunkOf(10);
  await appendFile(logPath(dataDir, 'd'), Buffer.concat([encodeHead(0, other.iv, other.encryptedData, false), other.encryptedData]));
  await appendFile(logPath(dataDir, 'd'), Buffer.concat([encodeHead(1, second.iv, second.encryptedData, false), second.encryptedData]));
  const again = await openStore(t, dataDir);
  const state = await again.getItem(S, 'd');
  assert.equal(state?.receivedChunks, 2);
  assert.equal(state?.bytes, 64 + 12 + 1000 + 12 + 10, 'a duplicate is not counted');
  await assertChunk(again, 'd', 0, first);
  await assertChunk(again, 'd', 1, second);
  // Appending continues after the duplicate.
  const third = chunkOf(7);
  assert.equal((await again.putChunk(S, 'd', 2, third)).item.complete, true);
  await assertChunk(again, 'd', 2, third);
});

test('removal while chunks are being written: NOT_FOUND, no leftover, no handle', async (t) => {
  for (const how of ['removeItem', 'clearItems', 'deleteSession'] as const) {
    // Removed before addItem finished, right after the writes were issued, or once 1, 8 or 31 of 32 were acknowledged.
    for (const when of [-1, 0, 1, 8, 31]) {
      const dataDir = await tempDir(t);
      const store = await withSession(t, dataDir);
      const added = store.addItem(S, item('r', 64));
      added.catch(() => undefined);
      if (when >= 0) await added;
      const writes = Array.from({ length: 32 }, (_, index) => store.putChunk(S, 'r', index, chunkOf(64 * 1024)));
      // A write acknowledged once the removal has begun would be a chunk of a removed item.
      let removing = false;
      let ackedBefore = 0;
      let ackedAfter = 0;
      let reached: () => void = () => undefined;
      const enoughAcked = new Promise<void>((resolve) => (reached = resolve));
      for (const write of writes) {
        void write.then(
          () => {
            if (removing) ackedAfter++;
            else if (++ackedBefore === when) reached();
          },
          () => undefined,
        );
      }
      if (when > 0) await enoughAcked;
      removing = true;
      if (how === 'removeItem') assert.equal(await store.removeItem(S, 'r'), true);
      if (how === 'clearItems') assert.equal(await store.clearItems(S), 1);
      if (how === 'deleteSession') await store.deleteSession(S);
      const label = `${how} after ${when} acks`;
      for (const result of await Promise.allSettled([added, ...writes])) {
        if (result.status === 'rejected') assert.ok(isNotFound(result.reason), `${label}: ${String(result.reason)}`);
      }
      assert.equal(ackedAfter, 0, label);
      // Writes after the removal answer NOT_FOUND too.
      await assert.rejects(store.putChunk(S, 'r', 40, chunkOf(10)), isNotFound);
      assert.equal(await store.getChunk(S, 'r', 0), undefined);
      const left = await listFiles(dataDir);
      assert.deepEqual(left, how === 'deleteSession' ? [] : [path.relative(dataDir, new DiskPaths(path.resolve(dataDir)).sessionRecord(S))], label);
      await assertNoHandles(dataDir, store);
      // The same id can be used again at once, from scratch.
      if (how !== 'deleteSession') {
        await store.addItem(S, item('r', 1));
        const fresh = chunkOf(10);
        assert.equal((await store.putChunk(S, 'r', 0, fresh)).item.complete, true);
        await assertChunk(store, 'r', 0, fresh);
        assert.equal((await stat(logPath(dataDir, 'r'))).size, recordSize(fresh));
      }
      await store.close();
      const reopened = await openStore(t, dataDir);
      const items = (await reopened.listItems(S, { limit: 10 })).items;
      assert.deepEqual(items.map((i) => [i.contentId, i.totalChunks]), how === 'deleteSession' ? [] : [['r', 1]], label);
    }
  }
});

test('removal while a completed item is being read: reads end, the handle closes, nothing is left', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir);
  await store.addItem(S, item('read', 8));
  for (let index = 0; index < 8; index++) await store.putChunk(S, 'read', index, chunkOf(256 * 1024));
  const reads = Array.from({ length: 8 }, (_, index) => store.getChunk(S, 'read', index));
  await store.removeItem(S, 'read');
  for (const result of await Promise.allSettled(reads)) assert.equal(result.status, 'fulfilled');
  await assertNoHandles(dataDir, store);
  assert.equal(await store.getChunk(S, 'read', 0), undefined);
  assert.deepEqual(await listFiles(path.join(dataDir, 'sessions')), [path.relative(path.join(dataDir, 'sessions'), new DiskPaths(path.resolve(dataDir)).sessionRecord(S))]);
});

test('an update or a session write racing a removal does not bring the removed thing back', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir);
  await store.addItem(S, item('u', 1));
  const update = store.updateItem(S, 'u', { pinned: true });
  await store.removeItem(S, 'u');
  assert.equal(await update, undefined);
  const touch = store.touchSession(S, 1_000 + 120_000);
  await store.deleteSession(S);
  await touch;
  await store.close();
  assert.deepEqual(await listFiles(dataDir), []);
});

test('after a restart an unfinished upload reopens its log and continues appending', async (t) => {
  const dataDir = await tempDir(t);
  const chunks = Array.from({ length: 6 }, (_, i) => chunkOf(1000 + i));
  {
    const store = await withSession(t, dataDir);
    await store.addItem(S, item('resume', 6));
    for (const index of [0, 1, 4]) await store.putChunk(S, 'resume', index, chunks[index]!);
    await store.close();
    await assertNoHandles(dataDir, store);
  }
  {
    const store = await openStore(t, dataDir);
    assert.equal(store.openLogs(), 0, 'logs are not opened until a chunk arrives');
    assert.deepEqual((await store.stalledUploads(Infinity)).map((u) => u.contentId), ['resume']);
    assert.deepEqual(await store.missingChunks(S, 'resume'), [2, 3, 5]);
    await store.putChunk(S, 'resume', 3, chunks[3]!);
    assert.equal(store.openLogs(), 1);
    await store.close();
    await assertNoHandles(dataDir, store);
  }
  const store = await openStore(t, dataDir);
  assert.deepEqual(await store.missingChunks(S, 'resume'), [2, 5]);
  await store.putChunk(S, 'resume', 5, chunks[5]!);
  assert.equal((await store.putChunk(S, 'resume', 2, chunks[2]!)).item.complete, true);
  await assertNoHandles(dataDir, store);
  for (let index = 0; index < 6; index++) await assertChunk(store, 'resume', index, chunks[index]);
  assert.equal((await stat(logPath(dataDir, 'resume'))).size, chunks.reduce((sum, c) => sum + recordSize(c), 0));
  assert.deepEqual(await store.stalledUploads(Infinity), []);
});

test('at most maxOpenLogs handles stay open; an evicted log reopens on its next chunk', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir, { maxOpenLogs: 2 });
  const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const sent = new Map<string, StoredChunk[]>();
  for (const id of ids) {
    await store.addItem(S, item(id, 3));
    sent.set(id, [chunkOf(100), chunkOf(100), chunkOf(100)]);
  }
  for (let index = 0; index < 3; index++) {
    for (const id of ids) {
      await store.putChunk(S, id, index, sent.get(id)![index]!);
      assert.ok(store.openLogs() <= 2, `${store.openLogs()} logs open`);
    }
  }
  await assertNoHandles(dataDir, store);
  for (const id of ids) for (let index = 0; index < 3; index++) await assertChunk(store, id, index, sent.get(id)![index]);
});

test('closing the store with uploads in progress closes every log', async (t) => {
  const dataDir = await tempDir(t);
  const store = await withSession(t, dataDir);
  for (const id of ['x', 'y']) {
    await store.addItem(S, item(id, 4));
    await store.putChunk(S, id, 0, chunkOf(100));
  }
  assert.equal(store.openLogs(), 2);
  await store.close();
  await assertNoHandles(dataDir, store);
});

test('with STORE_FSYNC a damaged record is never served and becomes missing again', async (t) => {
  const dataDir = await tempDir(t);
  // A small first chunk, then more than the scan's tail window (4 MiB), so only the read can find the damage.
  const chunks = [chunkOf(1000), ...Array.from({ length: 5 }, () => chunkOf(1024 * 1024))];
  {
    const store = await withSession(t, dataDir, { fsync: true });
    await store.addItem(S, item('crc', 7));
    for (let index = 0; index < chunks.length; index++) await store.putChunk(S, 'crc', index, chunks[index]!);
    await store.close();
  }
  // Flip one data byte of the first record.
  const file = logPath(dataDir, 'crc');
  const bytes = await readFile(file);
  bytes[RECORD_HEADER_BYTES + 12 + 500]! ^= 0xff;
  await writeFile(file, bytes);
  const store = await openStore(t, dataDir, { fsync: true });
  assert.deepEqual(await store.missingChunks(S, 'crc'), [6]);
  await assertChunk(store, 'crc', 0, undefined);
  assert.deepEqual(await store.missingChunks(S, 'crc'), [0, 6]);
  for (let index = 1; index < chunks.length; index++) await assertChunk(store, 'crc', index, chunks[index]);
  // A resumed upload sends it again; the new record is served.
  await store.putChunk(S, 'crc', 0, chunks[0]!);
  await assertChunk(store, 'crc', 0, chunks[0]);
});

test('with STORE_FSYNC a torn last record (data not what its header says) is cut at start-up', async (t) => {
  const dataDir = await tempDir(t);
  const chunks = [chunkOf(1000), chunkOf(1000)];
  {
    const store = await withSession(t, dataDir, { fsync: true });
    await store.addItem(S, item('torn', 2));
    await store.putChunk(S, 'torn', 0, chunks[0]!);
    await store.putChunk(S, 'torn', 1, chunks[1]!);
    await store.close();
  }
  const file = logPath(dataDir, 'torn');
  const bytes = await readFile(file);
  bytes.fill(0, bytes.byteLength - 600); // the last 600 bytes never reached the disk
  await writeFile(file, bytes);
  const store = await openStore(t, dataDir, { fsync: true });
  assert.deepEqual(await store.missingChunks(S, 'torn'), [1]);
  assert.equal((await stat(file)).size, recordSize(chunks[0]!));
  await assertChunk(store, 'torn', 0, chunks[0]);
});

test('chunks stored one file each by the previous layout are migrated into the log', async (t) => {
  const dataDir = await tempDir(t);
  const chunks = [chunkOf(100), chunkOf(200), chunkOf(300)];
  {
    const store = await withSession(t, dataDir);
    await store.addItem(S, item('old', 4));
    await store.close();
  }
  const itemDir = path.dirname(logPath(dataDir, 'old'));
  await mkdir(path.join(itemDir, 'chunks'));
  for (const index of [0, 2]) await writeFile(path.join(itemDir, 'chunks', `${index}.bin`), Buffer.concat([chunks[index]!.iv, chunks[index]!.encryptedData]));
  await writeFile(path.join(itemDir, 'chunks', '1.bin.abc123.partial'), randomBytes(50));
  await writeFile(path.join(itemDir, 'chunks', '9.bin'), randomBytes(50)); // past totalChunks
  {
    const store = await openStore(t, dataDir);
    assert.deepEqual(await store.missingChunks(S, 'old'), [1, 3]);
    await assertChunk(store, 'old', 0, chunks[0]);
    await assertChunk(store, 'old', 2, chunks[2]);
    assert.deepEqual((await readdir(itemDir)).sort(), ['chunks.log', 'item.json']);
    await readHandlesClosed();
    await assertNoHandles(dataDir, store);
    await store.putChunk(S, 'old', 1, chunks[1]!);
    await store.close();
  }
  const store = await openStore(t, dataDir);
  assert.deepEqual(await store.missingChunks(S, 'old'), [3]);
  for (let index = 0; index < 3; index++) await assertChunk(store, 'old', index, chunks[index]);
});

test('kill -9 of a process writing chunks: every acknowledged chunk is recovered intact, nothing else is served', async (t) => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const writer = path.join(here, 'testing', 'kill-writer.ts');
  for (const [round, killAfter] of [[0, 40], [1, 150], [2, 311]] as const) {
    const dataDir = await tempDir(t);
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Set<number>();
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        buffered += text;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (/^\d+$/.test(line)) acked.add(Number(line));
        if (acked.size >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
    });
    assert.ok(acked.size >= killAfter, `round ${round}: ${acked.size} acknowledged before the kill`);
    const store = await openStore(t, dataDir);
    const state = await store.getItem(KILL_SESSION, KILL_ITEM);
    assert.ok(state, 'the item is listed');
    assert.equal(state.complete, false);
    const missing = new Set(await store.missingChunks(KILL_SESSION, KILL_ITEM));
    for (let index = 0; index < state.totalChunks; index++) {
      const expected = killWriterChunk(round, index);
      if (acked.has(index)) assert.ok(!missing.has(index), `acknowledged chunk ${index} lost`);
      await assertChunk(store, KILL_ITEM, index, missing.has(index) ? undefined : expected);
    }
    // And the upload completes from there.
    await Promise.all([...missing].map((index) => store.putChunk(KILL_SESSION, KILL_ITEM, index, killWriterChunk(round, index))));
    assert.equal((await store.getItem(KILL_SESSION, KILL_ITEM))?.complete, true);
    await store.close();
    await assertNoHandles(dataDir, store);
  }
});
