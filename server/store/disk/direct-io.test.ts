import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cp, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../../log.ts';
import { tempDir } from '../../testing/harness.ts';
import type { StoredChunk } from '../content-store.ts';
import { DIRECT_ALIGN, O_DIRECT } from './direct-io.ts';
import { DiskStore } from './disk-store.ts';
import { assertChunk, chunkOf, item, logPath, recordSize, S } from './testing/store-fixtures.ts';

const quiet = createLogger('error', () => undefined);

async function openStore(t: TestContext, dataDir: string, directIo: boolean, log = quiet) {
  const store = new DiskStore(dataDir, { fsync: false, directIo, log, readIdleMs: 30 });
  await store.open();
  t.after(() => store.close());
  return store;
}

/** Whether the file system under `dir` opens files with O_DIRECT (else these tests cannot see a direct write). */
async function takesDirectIo(dir: string): Promise<boolean> {
  if (O_DIRECT === undefined) return false;
  const file = path.join(dir, 'probe');
  await (await open(file, 'w')).close();
  try {
    await (await open(file, O_DIRECT | 2 /* O_RDWR */)).close();
    return true;
  } catch {
    return false;
  }
}

// Sizes that leave records at every kind of offset: within a block, across one, ending on one.
const SIZES = [1000, 5000, 70, DIRECT_ALIGN - 36, 3 * DIRECT_ALIGN + 1, 12, 512 * 1024 + 16];

test('direct appends leave the same log as buffered ones, byte for byte, and serve every chunk while the upload runs', async (t) => {
  const dataDir = await tempDir(t);
  if (!(await takesDirectIo(dataDir))) return t.skip('THE FILE SYSTEM OF THE TEMP DIRECTORY TAKES NO O_DIRECT: direct writes not tested');
  const chunks = SIZES.map(chunkOf);
  const total = chunks.reduce((sum, chunk) => sum + recordSize(chunk), 0);
  const logs: Buffer[] = [];
  for (const directIo of [true, false]) {
    const dir = path.join(dataDir, String(directIo));
    const store = await openStore(t, dir, directIo);
    await store.createSession(S, Buffer.alloc(32, 1), 1_000);
    await store.addItem(S, item('f', chunks.length + 1));
    // One at a time (each its own write, from wherever the last one ended), then the rest at once (one batch).
    for (const [index, chunk] of chunks.slice(0, 4).entries()) {
      await store.putChunk(S, 'f', index, chunk);
      for (let seen = 0; seen <= index; seen++) await assertChunk(store, 'f', seen, chunks[seen]);
    }
    await Promise.all(chunks.slice(4).map((chunk, i) => store.putChunk(S, 'f', 4 + i, chunk)));
    for (const [index, chunk] of chunks.entries()) await assertChunk(store, 'f', index, chunk);
    const { size } = await stat(logPath(dir, 'f'));
    // Direct writes cover whole blocks, the last one padded with zeros until the log closes.
    assert.equal(size, directIo ? Math.ceil(total / DIRECT_ALIGN) * DIRECT_ALIGN : total, `log size with directIo ${directIo}`);
    await store.close();
    assert.equal((await stat(logPath(dir, 'f'))).size, total, 'the padding is cut when the log closes');
    logs.push(await readFile(logPath(dir, 'f')));
  }
  assert.ok(logs[0]!.equals(logs[1]!), 'the same bytes');
});

test('a log left padded by a stopped process is read without a warning, and appends continue from its last record', async (t) => {
  const dataDir = await tempDir(t);
  if (!(await takesDirectIo(dataDir))) return t.skip('THE FILE SYSTEM OF THE TEMP DIRECTORY TAKES NO O_DIRECT: direct writes not tested');
  const chunks: StoredChunk[] = [chunkOf(700), chunkOf(5000), chunkOf(300), chunkOf(9000)];
  const running = await openStore(t, path.join(dataDir, 'running'), true);
  await running.createSession(S, Buffer.alloc(32, 1), 1_000);
  await running.addItem(S, item('p', chunks.length));
  await running.putChunk(S, 'p', 0, chunks[0]!);
  await running.putChunk(S, 'p', 1, chunks[1]!);
  // What a process stopped now leaves: the log with its last block padded.
  const copy = path.join(dataDir, 'copy');
  await cp(path.join(dataDir, 'running'), copy, { recursive: true });
  const stored = recordSize(chunks[0]!) + recordSize(chunks[1]!);
  assert.equal((await stat(logPath(copy, 'p'))).size, Math.ceil(stored / DIRECT_ALIGN) * DIRECT_ALIGN);

  const warnings: string[] = [];
  const store = await openStore(t, copy, true, createLogger('warn', (line) => warnings.push(line)));
  assert.deepEqual(warnings, [], 'zeros to the block end are padding, not a damaged record');
  assert.equal((await stat(logPath(copy, 'p'))).size, stored, 'cut at start-up');
  assert.deepEqual(await store.missingChunks(S, 'p'), [2, 3]);
  await store.putChunk(S, 'p', 2, chunks[2]!);
  assert.equal((await store.putChunk(S, 'p', 3, chunks[3]!)).item.complete, true);
  for (const [index, chunk] of chunks.entries()) await assertChunk(store, 'p', index, chunk);
  assert.equal((await stat(logPath(copy, 'p'))).size, stored + recordSize(chunks[2]!) + recordSize(chunks[3]!));
});

test('a log evicted while its padding is being cut, then written again, keeps every acknowledged chunk', async (t) => {
  const dataDir = await tempDir(t);
  if (!(await takesDirectIo(dataDir))) return t.skip('THE FILE SYSTEM OF THE TEMP DIRECTORY TAKES NO O_DIRECT: direct writes not tested');
  // The cut of the padding held up, as a busy thread pool can: the reopened log must not write before it is done.
  const handle = await open(path.join(dataDir, 'probe'));
  const proto = Object.getPrototypeOf(handle) as { truncate: (length: number) => Promise<void> };
  await handle.close();
  const truncate = proto.truncate;
  let delayMs = 0;
  let cut: Promise<void> = Promise.resolve();
  proto.truncate = function (this: unknown, length: number) {
    const wait = delayMs;
    cut = (async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return truncate.call(this, length);
    })();
    return cut;
  };
  t.after(() => {
    proto.truncate = truncate;
  });
  const store = new DiskStore(dataDir, { fsync: false, directIo: true, log: quiet, maxOpenLogs: 1 });
  await store.open();
  t.after(() => store.close());
  await store.createSession(S, Buffer.alloc(32, 1), 1_000);
  await store.addItem(S, item('a', 3));
  await store.addItem(S, item('b', 3));
  const chunks = [chunkOf(1000), chunkOf(5000), chunkOf(300)];
  await store.putChunk(S, 'a', 0, chunks[0]!);
  delayMs = 50;
  await store.putChunk(S, 'b', 0, chunkOf(1000)); // evicts a's log: its padding is cut, slowly
  await store.putChunk(S, 'a', 1, chunks[1]!); // reopens it and writes
  delayMs = 0;
  await cut; // whenever the cut ends, it must not take what was acknowledged since
  await assertChunk(store, 'a', 1, chunks[1]);
  assert.equal((await store.putChunk(S, 'a', 2, chunks[2]!)).item.complete, true);
  for (const [index, chunk] of chunks.entries()) await assertChunk(store, 'a', index, chunk);
  await store.close();
  const again = await openStore(t, dataDir, true);
  assert.deepEqual(await again.missingChunks(S, 'a'), []);
  for (const [index, chunk] of chunks.entries()) await assertChunk(again, 'a', index, chunk);
});

test('with STORE_FSYNC the log appends buffered: a direct write would rewrite acknowledged bytes a power loss could tear', async (t) => {
  const dataDir = await tempDir(t);
  const store = new DiskStore(dataDir, { fsync: true, directIo: true, log: quiet });
  await store.open();
  t.after(() => store.close());
  await store.createSession(S, Buffer.alloc(32, 1), 1_000);
  await store.addItem(S, item('s', 2));
  const chunk = chunkOf(1000);
  await store.putChunk(S, 's', 0, chunk);
  assert.equal((await stat(logPath(dataDir, 's'))).size, recordSize(chunk), 'no padding: not written direct');
});
