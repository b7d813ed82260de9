import { test } from 'node:test';
import assert from 'node:assert/strict';
import { giveBack, pooledByteCount, take } from './buffer-pool.ts';

test('A buffer given back is taken again for the same size class, exactly once', () => {
  const first = take(300_001);
  assert.equal(first.byteLength, 300_001);
  assert.ok(Buffer.isBuffer(first), 'a Buffer, like allocate() gives on Node');
  giveBack(first);
  giveBack(first); // a second give-back of the same buffer is ignored
  const again = take(300_000); // same 4 KiB class
  assert.equal(again.buffer, first.buffer);
  assert.equal(again.byteLength, 300_000);
  const other = take(300_000);
  assert.notEqual(other.buffer, first.buffer, 'never handed out twice');
});

test('Buffers the pool did not make are never taken into it', () => {
  const foreign = Buffer.allocUnsafe(300_000);
  giveBack(foreign);
  assert.notEqual(take(300_000).buffer, foreign.buffer);
});

test('Past 32 MiB the class used least recently is dropped, not the one in use', () => {
  const MiB = 1024 * 1024;
  const big = Array.from({ length: 32 }, () => take(MiB - 100));
  for (const buffer of big) giveBack(buffer);
  const before = pooledByteCount();
  assert.ok(before >= 32 * MiB - 4096, `${before} bytes pooled`);
  // A buffer of another class makes room by dropping the 1 MiB class, and is kept.
  const other = take(200_000);
  giveBack(other);
  assert.equal(take(200_000).buffer, other.buffer);
  assert.ok(pooledByteCount() < before, 'the old class was dropped');
  assert.ok(!big.some((buffer) => buffer.buffer === take(MiB - 100).buffer), 'its buffers are not handed out again');
});
