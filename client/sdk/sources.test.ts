/**
 * Reading a Blob in slabs of several chunks: every chunk, in order or in any
 * order (a resumed upload asks for the missing ones), has the Blob's bytes,
 * whatever the chunk size against the slab size. Memory of released chunks
 * is read into again, never that of a chunk still held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chunkLength, openSource } from './sources.ts';

const MiB = 1024 * 1024;

for (const [size, chunkSize] of [[9 * MiB + 12_345, 256 * 1024], [3 * MiB, 3 * MiB], [5 * MiB + 1, 3 * MiB], [1000, 7]] as const) {
  test(`a Blob of ${size} bytes in chunks of ${chunkSize} reads the same bytes in order and out of order`, async () => {
    const bytes = new Uint8Array(randomBytes(size));
    const source = openSource(new Blob([bytes]), undefined, chunkSize);
    const count = Math.ceil(size / chunkSize);
    const expected = (index: number) => bytes.subarray(index * chunkSize, index * chunkSize + chunkLength(size, chunkSize, index));
    for (let index = 0; index < count; index++) {
      const chunk = await source.read(index);
      assert.deepEqual(chunk, expected(index), `chunk ${index}`);
      source.release(chunk); // as an upload does once the chunk is sealed: the next slabs may reuse its memory
    }
    assert.equal(source.rereadable, true);
    const shuffled = Array.from({ length: count }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (const index of shuffled) {
      const chunk = await source.read(index);
      assert.deepEqual(chunk, expected(index), `chunk ${index} again`);
      source.release(chunk);
    }
    await source.close();
  });
}

/** A Blob that counts how it is read: streams opened (slice without an end, then stream()) and slices read whole. */
class CountingBlob extends Blob {
  streams = 0;
  slices = 0;
  constructor(bytes: Uint8Array<ArrayBuffer>, private readonly byteStreams = true) {
    super([bytes]);
  }

  override slice(start?: number, end?: number): Blob {
    const part = super.slice(start, end);
    if (end !== undefined) {
      this.slices += 1;
      return part;
    }
    this.streams += 1;
    if (this.byteStreams) return part;
    // A Blob whose stream is not a byte stream (no BYOB reader), as in older browsers.
    return Object.assign(part, { stream: () => new Response(part).body! });
  }
}

test('chunks read in order come from one stream of the Blob; out of order, a new stream starts where the slab does', async () => {
  const size = 9 * MiB + 12_345;
  const chunkSize = 256 * 1024;
  const bytes = new Uint8Array(randomBytes(size));
  const blob = new CountingBlob(bytes);
  const source = openSource(blob, undefined, chunkSize);
  const count = Math.ceil(size / chunkSize);
  for (let index = 0; index < count; index++) {
    assert.deepEqual(await source.read(index), bytes.subarray(index * chunkSize, index * chunkSize + chunkLength(size, chunkSize, index)));
  }
  assert.deepEqual([blob.streams, blob.slices], [1, 0], 'one stream, no slices');
  // A resume asks for chunk 30, then chunk 1: the slabs holding them are read again, each from a stream of its own.
  for (const index of [30, 1]) assert.deepEqual(await source.read(index), bytes.subarray(index * chunkSize, (index + 1) * chunkSize));
  assert.equal(blob.streams, 3);
  await source.close();
});

test('where a Blob stream takes no BYOB reader, the slabs are read as slices, with the same bytes', async () => {
  const size = 5 * MiB + 7;
  const chunkSize = 512 * 1024;
  const bytes = new Uint8Array(randomBytes(size));
  const blob = new CountingBlob(bytes, false);
  const source = openSource(blob, undefined, chunkSize);
  for (let index = 0; index < Math.ceil(size / chunkSize); index++) {
    assert.deepEqual(await source.read(index), bytes.subarray(index * chunkSize, index * chunkSize + chunkLength(size, chunkSize, index)));
  }
  assert.equal(blob.streams, 1, 'tried once');
  assert.equal(blob.slices, 2, 'then two slabs of 4 MiB read as slices');
  await source.close();
});

test('reads out of order at the same time each get their bytes: a stream left for another finishes what was queued on it', async () => {
  const size = 17 * MiB + 3;
  const chunkSize = 512 * 1024;
  const bytes = new Uint8Array(randomBytes(size));
  const source = openSource(new CountingBlob(bytes), undefined, chunkSize);
  const expected = (index: number) => bytes.subarray(index * chunkSize, index * chunkSize + chunkLength(size, chunkSize, index));
  const indices = [20, 0, 33, 9, 1, 21];
  const got = await Promise.all(indices.map((index) => source.read(index)));
  for (const [i, index] of indices.entries()) assert.deepEqual(got[i], expected(index), `chunk ${index}`);
  await source.close();
});

/** A Blob source of 21 MiB of random bytes in 512 KiB chunks (slabs of 8), and the bytes chunk `index` must hold. */
function blobOf21MiB() {
  const size = 21 * MiB;
  const chunkSize = 512 * 1024;
  const bytes = new Uint8Array(randomBytes(size));
  const expected = (index: number) => bytes.subarray(index * chunkSize, (index + 1) * chunkSize);
  return { source: openSource(new Blob([bytes]), undefined, chunkSize), count: size / chunkSize, expected };
}

test("a released chunk's slab is read into again; a chunk not released keeps its bytes", async () => {
  const { source, count, expected } = blobOf21MiB();
  const first = await source.read(0); // slab 0, released
  source.release(first);
  const held = await source.read(9); // slab 1, never released
  for (let index = 1; index < count; index++) {
    if (index === 9) continue;
    const chunk = await source.read(index);
    assert.deepEqual(chunk, expected(index), `chunk ${index}`);
    source.release(chunk);
  }
  // Slab 0's buffer went to a later slab's read (a BYOB read takes it over, so the old view is left empty)...
  assert.equal(first.byteLength, 0, 'the released chunk no longer views the memory');
  // ...slab 1's did not: chunk 9 is still out.
  assert.deepEqual(held, expected(9));
  await source.close();
});

test('releasing an earlier read of a chunk does not free the memory of a later read of it', async () => {
  const { source, count, expected } = blobOf21MiB();
  const early = await source.read(1);
  source.release(await source.read(12)); // slab 0 is passed
  const late = await source.read(1); // a resume reads it again, from a new stream
  source.release(early); // the earlier read's release comes late
  for (let index = 2; index < count; index++) source.release(await source.read(index));
  assert.deepEqual(late, expected(1), 'the later read kept its bytes');
  await source.close();
});

test('an async iterable is cut into chunks whose buffers are reused once released, never while held', async () => {
  const chunkSize = 1000;
  const bytes = new Uint8Array(randomBytes(10 * chunkSize));
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += 777) yield bytes.slice(at, at + 777);
  }
  const source = openSource(pieces(), bytes.length, chunkSize);
  const expected = (index: number) => bytes.subarray(index * chunkSize, (index + 1) * chunkSize);
  const zero = await source.read(0);
  source.release(zero);
  const one = await source.read(1);
  assert.equal(one.buffer, zero.buffer, 'chunk 1 went into chunk 0’s released buffer');
  assert.deepEqual(one, expected(1));
  const two = await source.read(2); // chunk 1 is still held
  assert.notEqual(two.buffer, one.buffer);
  assert.deepEqual(one, expected(1), 'the held chunk kept its bytes');
  assert.deepEqual(two, expected(2));
  await source.close();
});
