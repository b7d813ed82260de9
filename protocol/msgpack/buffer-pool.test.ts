import { test } from 'node:test';
import assert from 'node:assert/strict';
import { giveBack, take } from './buffer-pool.ts';

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
