import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as stock from 'socket.io-msgpack-parser';
import { Encoder, LARGE_BINARY, ownsItsBytes, useInPlaceWrites, type Packet } from '../parser.ts';
import { decode } from './decode.ts';
import { encode, encodeSplit } from './encode.ts';

const DEPTH = 64;

function joined({ head, tail }: { head: Uint8Array; tail?: Uint8Array | undefined }): Buffer {
  return tail ? Buffer.concat([head, tail]) : Buffer.from(head);
}

function stockDecode(bytes: Uint8Array): unknown {
  const decoder = new stock.Decoder();
  let packet: unknown;
  decoder.on('decoded', (decoded: unknown) => (packet = decoded));
  decoder.add(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return packet;
}

/** Uint8Arrays and Buffers as plain Uint8Array views, so deepEqual compares bytes only (and ignores key order). */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** A ShareThings chunk as the server relays it (PROTOCOL.md): the payload is neither the last key nor in the last entry. */
function relayedChunk(payload: Uint8Array): Packet {
  const chunk = { contentId: 'c1', chunkIndex: 7, totalChunks: 9, encryptedData: payload, iv: new Uint8Array(12).fill(1) };
  return { type: 2, nsp: '/', data: ['chunk', { sessionId: 's1', chunk, senderId: 'abc123' }] };
}

test('A relayed chunk splits into a small head and the payload itself, and joined they are what encode() writes.', () => {
  const payload = new Uint8Array(256 * 1024).map((_, i) => i * 7);
  const packet = relayedChunk(payload.subarray(0, 200_000));
  const split = new Encoder().encodeSplit(packet);

  assert.ok(split.tail, 'the payload is split off');
  assert.equal(split.tail.buffer, payload.buffer, 'the tail is the payload, not a copy');
  assert.equal(split.tail.byteOffset, 0);
  assert.equal(split.tail.byteLength, 200_000);
  assert.ok(split.head.byteLength < 200, `head of ${split.head.byteLength} bytes`);
  assert.deepEqual(joined(split), Buffer.from(new Encoder().encode(packet)[0]!));
  // The stock parser (notepack) reads the reordered map as the same packet.
  assert.deepEqual(normalize(stockDecode(joined(split))), normalize(packet));
});

test('Without a large binary the bytes and key order are those of plain encode().', () => {
  const small = relayedChunk(new Uint8Array(LARGE_BINARY - 1));
  const split = new Encoder().encodeSplit(small);
  assert.equal(split.tail, undefined);
  const { type, data, nsp } = small;
  assert.deepEqual(Buffer.from(split.head), Buffer.from(encode({ type, data, nsp })));
});

test('Two large binaries, or one followed by array items, are encoded whole.', () => {
  const big = new Uint8Array(LARGE_BINARY);
  for (const value of [{ a: big, b: big }, ['x', big, 1], { list: [big, 'after'] }]) {
    const split = encodeSplit(value, LARGE_BINARY, DEPTH);
    assert.equal(split.tail, undefined);
    assert.deepEqual(normalize(decode(split.head)), normalize(value));
  }
});

/** Where a single large binary can be put last by reordering map entries (never array items). */
function canEndWith(value: unknown, target: Uint8Array): boolean {
  if (value === target) return true;
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length > 0 && canEndWith(value[value.length - 1], target);
  return Object.values(value).some((item) => item !== undefined && canEndWith(item, target));
}

function largeBinaries(value: unknown, found: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) {
    if (value.byteLength >= LARGE_BINARY) found.push(value);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) largeBinaries(item, found);
  }
  return found;
}

test('Random values: encodeSplit gives encode()\'s bytes, splits exactly when the binary can end the value, and decodes to the value.', () => {
  const backing = new Uint8Array(LARGE_BINARY + 64).map((_, i) => i);
  const leaf = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 8 }),
    fc.nat(63).map((n) => backing.subarray(n)), // a large binary: LARGE_BINARY + 0..63 bytes
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('map')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  }));
  const seen = { split: 0, wholeWithLarge: 0 };
  fc.assert(
    fc.property(value, (v) => {
      const split = encodeSplit(v, LARGE_BINARY, DEPTH);
      const bytes = joined(split);
      assert.deepEqual(bytes, Buffer.from(encode(v, DEPTH, LARGE_BINARY)));
      assert.deepEqual(normalize(decode(bytes)), normalize(v));
      const large = largeBinaries(v);
      const expectSplit = large.length === 1 && canEndWith(v, large[0]!);
      assert.equal(split.tail !== undefined, expectSplit);
      if (split.tail) assert.equal(split.tail, large[0]);
      if (split.tail) seen.split++;
      else if (large.length > 0) seen.wholeWithLarge++;
    }),
    { seed: 7, numRuns: 2000 },
  );
  // Both outcomes were exercised, not only the trivial one.
  assert.ok(seen.split >= 100 && seen.wholeWithLarge >= 100, JSON.stringify(seen));
});

test('Once a transport asks for it, large encodings are marked as the encoder\'s own, never the application\'s buffers.', () => {
  const payload = new Uint8Array(LARGE_BINARY);
  assert.equal(ownsItsBytes(new Encoder().encode(relayedChunk(payload))[0]), false, 'not tracked unless asked for');
  useInPlaceWrites();
  const [encoded] = new Encoder().encode(relayedChunk(payload));
  assert.equal(ownsItsBytes(encoded), true);
  assert.equal(ownsItsBytes(payload), false);
  assert.equal(ownsItsBytes(new Encoder().encode({ type: 2, nsp: '/', data: ['small'] })[0]), false);
});
