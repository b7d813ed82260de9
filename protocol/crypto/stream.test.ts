import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.ts';
import { ChunkSequenceVerifier } from './stream.ts';

const INTEGRITY = (error: unknown): boolean => error instanceof ProtocolError && error.code === 'INTEGRITY';
const bytes = (...values: number[]) => new Uint8Array(values);

test('Chunks may arrive in any order and completion is reported once all are in', () => {
  const verifier = new ChunkSequenceVerifier(3);
  assert.deepEqual(verifier.missing(), [0, 1, 2]);
  assert.equal(verifier.accept(2, bytes(3)), true);
  assert.equal(verifier.accept(0, bytes(1)), true);
  assert.deepEqual(verifier.missing(), [1]);
  assert.equal(verifier.isComplete(), false);
  assert.equal(verifier.accept(1, bytes(2)), true);
  assert.equal(verifier.isComplete(), true);
  assert.equal(verifier.receivedCount, 3);
  verifier.assertComplete();
});

test('A later copy of an index is not compared: the first authenticated copy is the chunk (SPEC §3.3)', () => {
  const verifier = new ChunkSequenceVerifier(2);
  assert.equal(verifier.accept(0, bytes(1, 2)), true);
  assert.equal(verifier.accept(0, bytes(1, 2)), false);
  assert.equal(verifier.accept(0, bytes(1, 3)), false);
  assert.equal(verifier.receivedCount, 1);
  assert.deepEqual(verifier.missing(), [1]);
});

test('A later copy of the wrong length is still an integrity error', () => {
  const verifier = new ChunkSequenceVerifier(2, { size: 8, chunkSize: 4 });
  verifier.accept(0, bytes(1, 2, 3, 4));
  assert.throws(() => verifier.accept(0, bytes(1, 2, 3)), INTEGRITY);
});

test('An index outside the item is an integrity error', () => {
  const verifier = new ChunkSequenceVerifier(2);
  for (const index of [2, 99, -1, 0.5]) assert.throws(() => verifier.accept(index, bytes(0)), INTEGRITY);
});

test('With a known layout, chunks of the wrong length are rejected', () => {
  const verifier = new ChunkSequenceVerifier(3, { size: 10, chunkSize: 4 });
  assert.deepEqual([0, 1, 2].map((i) => verifier.expectedLength(i)), [4, 4, 2]);
  assert.throws(() => verifier.accept(0, bytes(1, 2, 3)), INTEGRITY);
  assert.throws(() => verifier.accept(2, bytes(1, 2, 3, 4)), INTEGRITY);
  assert.throws(() => new ChunkSequenceVerifier(2, { size: 10, chunkSize: 4 }), INTEGRITY);
});

test('An empty item is complete from the start', () => {
  const verifier = new ChunkSequenceVerifier(0);
  assert.equal(verifier.isComplete(), true);
  assert.deepEqual(verifier.missing(), []);
});
