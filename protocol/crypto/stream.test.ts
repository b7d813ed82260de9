import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.ts';
import { ChunkSequenceVerifier } from './stream.ts';

const INTEGRITY = (error: unknown): boolean => error instanceof ProtocolError && error.code === 'INTEGRITY';
const bytes = (...values: number[]) => new Uint8Array(values);

test('Chunks may arrive in any order and completion is reported once all are in', async () => {
  const verifier = new ChunkSequenceVerifier(3);
  assert.deepEqual(verifier.missing(), [0, 1, 2]);
  assert.equal(await verifier.accept(2, bytes(3)), true);
  assert.equal(await verifier.accept(0, bytes(1)), true);
  assert.deepEqual(verifier.missing(), [1]);
  assert.equal(verifier.isComplete(), false);
  assert.equal(await verifier.accept(1, bytes(2)), true);
  assert.equal(verifier.isComplete(), true);
  assert.equal(verifier.receivedCount, 3);
  verifier.assertComplete();
});

test('An identical duplicate is tolerated but a conflicting one is an integrity error', async () => {
  const verifier = new ChunkSequenceVerifier(2);
  await verifier.accept(0, bytes(1, 2));
  assert.equal(await verifier.accept(0, bytes(1, 2)), false);
  await assert.rejects(verifier.accept(0, bytes(1, 3)), INTEGRITY);
  assert.equal(verifier.receivedCount, 1);
});

test('An index outside the item is an integrity error', async () => {
  const verifier = new ChunkSequenceVerifier(2);
  for (const index of [2, 99, -1, 0.5]) await assert.rejects(verifier.accept(index, bytes(0)), INTEGRITY);
});

test('With a known layout, chunks of the wrong length are rejected', async () => {
  const verifier = new ChunkSequenceVerifier(3, { size: 10, chunkSize: 4 });
  assert.deepEqual([0, 1, 2].map((i) => verifier.expectedLength(i)), [4, 4, 2]);
  await assert.rejects(verifier.accept(0, bytes(1, 2, 3)), INTEGRITY);
  await assert.rejects(verifier.accept(2, bytes(1, 2, 3, 4)), INTEGRITY);
  assert.throws(() => new ChunkSequenceVerifier(2, { size: 10, chunkSize: 4 }), INTEGRITY);
});

test('An empty item is complete from the start', () => {
  const verifier = new ChunkSequenceVerifier(0);
  assert.equal(verifier.isComplete(), true);
  assert.deepEqual(verifier.missing(), []);
});
