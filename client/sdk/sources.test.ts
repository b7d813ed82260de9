/**
 * Reading a Blob in slabs of several chunks: every chunk, in order or in any
 * order (a resumed upload asks for the missing ones), has the Blob's bytes,
 * whatever the chunk size against the slab size.
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
    for (let index = 0; index < count; index++) assert.deepEqual(await source.read(index), expected(index), `chunk ${index}`);
    assert.equal(source.rereadable, true);
    const shuffled = Array.from({ length: count }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (const index of shuffled) assert.deepEqual(await source.read(index), expected(index), `chunk ${index} again`);
    await source.close();
  });
}
