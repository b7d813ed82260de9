import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode as msgpackEncode, ExtData } from '@msgpack/msgpack';
import fc from 'fast-check';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import * as stock from 'socket.io-msgpack-parser';
import { WebSocket } from 'ws';
import * as parser from './parser.ts';
import { Decoder, Encoder, PacketType, protocol } from './parser.ts';
import type { Packet } from './parser.ts';
import { decode, DEFAULT_MAX_DEPTH, MsgpackDecodeError } from './msgpack/decode.ts';
import { encode } from './msgpack/encode.ts';

// ---------------------------------------------------------------- helpers

/** Deterministic bytes, different for each length. */
function bytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + length) & 0xff;
  return out;
}

/** mulberry32: a tiny seeded PRNG, so failures are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ourEncode(packet: Packet): Uint8Array {
  const out = new Encoder().encode(packet);
  assert.equal(out.length, 1);
  return out[0]!;
}

function ourDecode(chunk: unknown): Packet {
  const decoder = new Decoder();
  const got: Packet[] = [];
  decoder.on('decoded', (packet) => got.push(packet));
  decoder.add(chunk);
  assert.equal(got.length, 1);
  return got[0]!;
}

function stockEncode(packet: object): Buffer {
  // The stock typings claim an ArrayBuffer; the implementation returns [Buffer].
  const out = new stock.Encoder().encode(packet) as unknown as Buffer[];
  assert.equal(out.length, 1);
  return out[0]!;
}

function stockDecode(chunk: Uint8Array): unknown {
  const decoder = new stock.Decoder();
  const got: unknown[] = [];
  decoder.on('decoded', (packet: unknown) => got.push(packet));
  // notepack needs a Node Buffer, which is what the network hands it.
  decoder.add(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  assert.equal(got.length, 1);
  return got[0];
}

/** Buffers and Uint8Arrays as plain Uint8Array views, so deepEqual compares their bytes only. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** Same packet with every Uint8Array as a Node Buffer (which notepack encodes as `bin`). */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asBuffers(v)]));
  }
  return value;
}

function includesBytes(haystack: Uint8Array, needle: number[]): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}

function fixstr(s: string): number[] {
  const b = [...Buffer.from(s)];
  assert.ok(b.length < 32);
  return [0xa0 | b.length, ...b];
}

/** Hand-made EVENT packet whose second argument is `depth` nested arrays. */
function nestedEvent(depth: number): Uint8Array {
  const head = [0x83, ...fixstr('type'), 2, ...fixstr('nsp'), ...fixstr('/'), ...fixstr('data'), 0x92, ...fixstr('ev')];
  return Uint8Array.from([...head, ...new Array<number>(depth - 1).fill(0x91), 0x90]);
}

const SIZES = [0, 1, 255, 256, 65535, 65536, 1 << 20];

const rich = {
  text: 'héllo wörld — 日本語 🎉',
  long: 'x'.repeat(70_000),
  ints: [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER],
  negatives: [-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, Number.MIN_SAFE_INTEGER],
  floats: [0.5, -1.25, Math.PI, -1e-300],
  flags: [true, false],
  nothing: null,
  nested: { a: { b: { c: [1, [2, [3, { d: 'deep' }]]] } } },
  empty: { list: [], map: {}, str: '' },
};

function cases(): Packet[] {
  const base: Packet[] = [
    { type: PacketType.CONNECT, nsp: '/' },
    { type: PacketType.CONNECT, nsp: '/sessions-ü', data: { token: 'abc', rich } },
    { type: PacketType.DISCONNECT, nsp: '/' },
    { type: PacketType.EVENT, nsp: '/', data: ['message', rich, null, 'ünïcødé 🎉'] },
    ...SIZES.map((n): Packet => ({ type: PacketType.EVENT, nsp: '/', data: ['chunk', { seq: n, bin: bytes(n) }] })),
    { type: PacketType.EVENT, nsp: '/', data: ['many', ...SIZES.slice(0, 6).map(bytes)] },
    { type: PacketType.ACK, nsp: '/', data: [] },
    { type: PacketType.ACK, nsp: '/', data: [null, { ok: true, bins: [bytes(3), bytes(300)] }] },
    { type: PacketType.CONNECT_ERROR, nsp: '/', data: 'not authorized' },
    { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'nope', data: { code: 'UNAUTHORIZED' } } },
  ];
  return base.flatMap((p) => [p, { ...p, id: 0 }, { ...p, id: 2 ** 31 - 1 }]);
}

// ---------------------------------------------------------------- tests

test('The module exposes protocol 5 and the five msgpack-parser packet types.', () => {
  assert.equal(protocol, 5);
  assert.deepEqual(PacketType, { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4 });
});

test('Every packet type round-trips through our Encoder and Decoder, with and without id.', () => {
  const encoder = new Encoder(); // one instance for all
  for (const packet of cases()) {
    const out = encoder.encode(packet);
    assert.equal(out.length, 1);
    assert.ok(out[0] instanceof Uint8Array);
    assert.deepEqual(normalize(ourDecode(out[0])), normalize(packet));
  }
});

test('Decoded binary is a Uint8Array view of the received message, not a copy.', () => {
  const message = ourEncode({ type: PacketType.EVENT, nsp: '/', data: ['bin', bytes(1 << 20)] });
  const bin = (ourDecode(message).data as unknown[])[1];
  assert.ok(bin instanceof Uint8Array);
  assert.equal(bin.buffer, message.buffer);
  assert.deepEqual(normalize(bin), bytes(1 << 20));
});

test('Returned buffers stay valid after the same Encoder encodes another packet.', () => {
  const encoder = new Encoder();
  const first = encoder.encode({ type: PacketType.EVENT, nsp: '/', data: ['a', bytes(100)] })[0]!;
  const copy = Uint8Array.from(first);
  encoder.encode({ type: PacketType.EVENT, nsp: '/', data: ['b', bytes(5000)] });
  encoder.encode({ type: PacketType.ACK, nsp: '/', data: ['c'], id: 1 });
  assert.deepEqual(normalize(first), copy);
});

test('Our encoding decodes with the stock parser to equal packets.', () => {
  for (const packet of cases()) {
    assert.deepEqual(normalize(stockDecode(ourEncode(packet))), normalize(packet));
  }
});

test('Stock encoding of Uint8Arrays (ext type 0) and of Buffers (bin) decodes with ours to equal packets.', () => {
  for (const packet of cases()) {
    assert.deepEqual(normalize(ourDecode(stockEncode(packet))), normalize(packet));
    assert.deepEqual(normalize(ourDecode(stockEncode(asBuffers(packet) as object))), normalize(packet));
  }
});

test('Stock Buffer, Uint8Array and undefined encodings decode with ours to the same values.', () => {
  const buffer = stockEncode({ type: 2, nsp: '/', data: ['b', Buffer.from([1, 2, 3])] });
  assert.ok(includesBytes(buffer, [0xc4, 3, 1, 2, 3]), 'stock encodes a Buffer as bin 8');
  assert.deepEqual(normalize(ourDecode(buffer).data), ['b', new Uint8Array([1, 2, 3])]);

  const u8 = stockEncode({ type: 2, nsp: '/', data: ['u', new Uint8Array([1, 2, 3])] });
  assert.ok(includesBytes(u8, [0xc7, 3, 0, 1, 2, 3]), 'stock encodes a Uint8Array as ext 8 type 0');
  const decoded = (ourDecode(u8).data as unknown[])[1];
  assert.ok(decoded instanceof Uint8Array);
  assert.equal(decoded.buffer, u8.buffer, 'a view of the message, not a copy');
  assert.deepEqual(normalize(decoded), new Uint8Array([1, 2, 3]));

  const undef = stockEncode({ type: 2, nsp: '/', data: ['ev', undefined, 1], id: undefined });
  assert.ok(includesBytes(undef, [0xd4, 0, 0]), 'stock encodes undefined as fixext 1 type 0');
  assert.deepEqual(ourDecode(undef), { type: 2, nsp: '/', data: ['ev', undefined, 1] });
});

test('Stock ext type 0 binaries whose length looks like a fixext header still decode as bytes.', () => {
  // 1 and 8 are the fixext sizes notepack uses for undefined and Date; 212/215 put 0xd4/0xd7 in the length byte.
  for (const n of [0, 1, 2, 4, 8, 16, 212, 215, 256, 65535, 65536]) {
    const data = ['u', bytes(n), undefined, new Date(1_700_000_000_123)];
    assert.deepEqual(normalize(ourDecode(stockEncode({ type: 2, nsp: '/', data })).data), normalize(data), `length ${n}`);
  }
});

test('Dates are exchanged in notepack format in both directions.', () => {
  const date = new Date(-1_234_567_890_123);
  assert.deepEqual(ourDecode(stockEncode({ type: 2, nsp: '/', data: ['d', date] })).data, ['d', date]);
  assert.deepEqual(stockDecode(ourEncode({ type: 2, nsp: '/', data: ['d', date] })), { type: 2, nsp: '/', data: ['d', date] });
});

test('Client packet extras are dropped and absent ids are omitted, never sent as nil.', () => {
  // socket.io-client adds `options` to every packet; the stock decoder rejects `id: null`.
  const out = ourEncode({ type: 2, nsp: '/', data: ['x'], id: undefined, options: { compress: true } } as Packet);
  assert.deepEqual(stockDecode(out), { type: 2, nsp: '/', data: ['x'] });
  const fromStockClient = stockEncode({ type: 2, data: ['x'], options: { compress: true }, nsp: '/' });
  assert.deepEqual(ourDecode(fromStockClient), { type: 2, nsp: '/', data: ['x'] });
});

test('Without binary, our bytes equal the stock bytes for packets shaped like the server builds them.', () => {
  const packets = [
    { type: 0, data: { sid: 'abc' }, nsp: '/' },
    { type: 2, data: ['message', rich], id: 7, nsp: '/x' },
    { type: 3, data: [null, { ok: true }], id: 2 ** 31 - 1, nsp: '/' },
    { type: 4, data: { message: 'no' }, nsp: '/' },
    { type: 1, nsp: '/' },
  ];
  for (const packet of packets) {
    assert.deepEqual(Buffer.from(ourEncode(packet as Packet)), stockEncode(packet));
  }
});

test('Integral numbers beyond 2^53 are sent as float64 and decode exactly on both sides.', () => {
  // notepack would write these as (corrupted) uint64; @msgpack falls back to float64.
  const data = ['n', 1e300, -(2 ** 60), 2 ** 53 + 2, Number.MAX_VALUE, Infinity, -Infinity];
  const out = ourEncode({ type: 2, nsp: '/', data });
  assert.ok(includesBytes(out, [0xcb, 0x7e, 0x37, 0xe4, 0x3c]), '1e300 as float 64');
  assert.deepEqual(ourDecode(out).data, data);
  assert.deepEqual((stockDecode(out) as Packet).data, data);
});

test('Our encoder writes only the bytes of a view, not its whole underlying buffer.', () => {
  const big = bytes(1000);
  const views: [ArrayBufferView | ArrayBuffer, number[]][] = [
    [new Uint8Array(big.buffer, 10, 5), [...big.subarray(10, 15)]],
    [big.subarray(990), [...big.subarray(990)]],
    [new DataView(big.buffer, 20, 3), [...big.subarray(20, 23)]],
    [new Uint16Array(big.buffer, 100, 2), [...big.subarray(100, 104)]],
    [Buffer.from('abc'), [0x61, 0x62, 0x63]], // a slice of Node's shared 8 KiB pool
    [new Uint8Array([7, 8]).buffer, [7, 8]],
  ];
  for (const [view, expected] of views) {
    const out = ourEncode({ type: 2, nsp: '/', data: ['x', view] });
    assert.ok(out.length < 40, `${out.length} bytes for ${expected.length} bytes of data`);
    assert.ok(includesBytes(out, [0xc4, expected.length, ...expected]), 'encoded as bin 8');
    assert.deepEqual(normalize(ourDecode(out).data), ['x', new Uint8Array(expected)]);
    assert.deepEqual(normalize((stockDecode(out) as Packet).data), ['x', new Uint8Array(expected)]);
  }
});

test('Nesting up to depth 64 is accepted and one level deeper is rejected.', () => {
  // The packet map is depth 1, `data` depth 2, so the inner arrays go from depth 3 to 2 + n.
  assert.equal(ourDecode(nestedEvent(62)).type, 2);
  assert.throws(() => ourDecode(nestedEvent(63)), /nested too deeply/);
  // What our encoder writes, our decoder reads: it refuses the deepest level rather than write it.
  let deep: unknown = [];
  for (let i = 0; i < 61; i++) deep = [deep];
  assert.deepEqual(ourDecode(ourEncode({ type: 2, nsp: '/', data: ['ev', deep] })).data, ['ev', deep]);
  assert.throws(() => ourEncode({ type: 2, nsp: '/', data: ['ev', [deep]] }), /deep/);
});

function* malformedInputs(): Generator<[string, unknown]> {
  const random = prng(0x5eed);
  for (let i = 0; i < 5000; i++) {
    const chunk = new Uint8Array(Math.floor(random() * 64));
    for (let j = 0; j < chunk.length; j++) chunk[j] = Math.floor(random() * 256);
    yield [`random #${i}`, chunk];
  }

  const valid = [
    ourEncode({ type: 0, nsp: '/', data: { token: 'secret' } }),
    ourEncode({ type: 2, nsp: '/', data: ['chunk', { seq: 1, bin: bytes(300) }, 1.5, -70000], id: 9 }),
    ourEncode({ type: 4, nsp: '/', data: { message: 'unauthorized' } }),
    stockEncode({ type: 2, nsp: '/', data: ['u', new Uint8Array(20), undefined, new Date(0)], id: 3 }),
  ];
  for (const [i, message] of valid.entries()) {
    assert.doesNotThrow(() => ourDecode(message));
    for (let n = 0; n < message.length; n++) yield [`valid #${i} truncated to ${n}`, message.subarray(0, n)];
    yield [`valid #${i} plus a trailing byte`, Uint8Array.from([...message, 0xc0])];
    yield [`valid #${i} twice`, Uint8Array.from([...message, ...message])];
  }

  const wrong: [string, unknown][] = [
    ['an array', [{ type: 2, nsp: '/', data: ['x'] }]],
    ['nil', null],
    ['a number', 2],
    ['a string', 'hello'],
    ['binary', new Uint8Array(3)],
    ...[5, 6, -1, 1.5, '2', null, true, undefined].map((type): [string, unknown] => [
      `type ${String(type)}`,
      { type, nsp: '/', data: ['x'] },
    ]),
    ...[undefined, 123, 'no-slash', '', null, ['/'], '/' + 'a'.repeat(256)].map((nsp): [string, unknown] => [
      `nsp ${String(nsp).slice(0, 20)}`,
      { type: 2, nsp, data: ['x'] },
    ]),
    ...[[1], [], 'auth', 1, null, new Uint8Array(2)].map((data): [string, unknown] => [
      `CONNECT data ${JSON.stringify(data)}`,
      { type: 0, nsp: '/', data },
    ]),
    ...[{}, [], 'bye', null, 0].map((data): [string, unknown] => [
      `DISCONNECT data ${JSON.stringify(data)}`,
      { type: 1, nsp: '/', data },
    ]),
    ...[undefined, 1, [], null, ['x']].map((data): [string, unknown] => [
      `CONNECT_ERROR data ${JSON.stringify(data)}`,
      { type: 4, nsp: '/', data },
    ]),
    ...[undefined, [], {}, 'ev', null, [1], [{}], [null], [['ev']], [new Uint8Array(1)]].map(
      (data): [string, unknown] => [`EVENT data ${JSON.stringify(data)}`, { type: 2, nsp: '/', data }],
    ),
    ...['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].map(
      (name): [string, unknown] => [`reserved event ${name}`, { type: 2, nsp: '/', data: [name, 1] }],
    ),
    ...[undefined, {}, 'x', null].map((data): [string, unknown] => [
      `ACK data ${JSON.stringify(data)}`,
      { type: 3, nsp: '/', data, id: 1 },
    ]),
    ...[-1, 1.5, '1', 2 ** 40, 2 ** 31, null, true, NaN, Infinity].map((id): [string, unknown] => [
      `id ${String(id)}`,
      { type: 2, nsp: '/', data: ['x'], id },
    ]),
    ['a msgpack timestamp (ext -1)', { type: 2, nsp: '/', data: ['x', new Date(0)] }],
    ['an unknown ext type', { type: 2, nsp: '/', data: ['x', new ExtData(5, new Uint8Array(3))] }],
    // `__proto__` keys are accepted now (as own properties): see the tests of the msgpack decoder.
    ['a __proto__ key instead of type', JSON.parse('{"__proto__":{"type":0},"nsp":"/"}')],
  ];
  for (const [label, value] of wrong) yield [label, msgpackEncode(value, { ignoreUndefined: true })];

  const map = (...entries: number[][]) => Uint8Array.from([0x80 | entries.length / 2, ...entries.flat()]);
  yield ['fixext 2 type 0', map(fixstr('type'), [2], fixstr('nsp'), fixstr('/'), fixstr('data'), [0x92, ...fixstr('x'), 0xd5, 0, 1, 2])];
  yield ['a nil map key', map([0xc0], [1], fixstr('type'), [2], fixstr('nsp'), fixstr('/'), fixstr('data'), [0x91, ...fixstr('x')])];
  yield ['arrays nested 10,000 deep', nestedEvent(10_000)];
  yield ['maps nested 10,000 deep', Uint8Array.from([
    0x83, ...fixstr('type'), 0, ...fixstr('nsp'), ...fixstr('/'), ...fixstr('data'),
    ...new Array<number[]>(10_000).fill([0x81, ...fixstr('a')]).flat(), 0x80,
  ])];
  yield ['a header promising 2^32-1 array items', Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 1])];
  yield ['an empty message', new Uint8Array(0)];
  for (const input of ['2["x"]', '', null, undefined, 42, {}, [0x80], new Blob([])]) {
    yield [`input ${Object.prototype.toString.call(input)}`, input];
  }
}

test('Thousands of malformed inputs make add() throw an Error and never emit a packet.', () => {
  const decoder = new Decoder();
  let emitted = 0;
  decoder.on('decoded', () => emitted++);
  let count = 0;
  for (const [label, input] of malformedInputs()) {
    assert.throws(() => decoder.add(input), Error, label);
    count++;
  }
  assert.ok(count > 4000, `${count} inputs`);
  assert.equal(emitted, 0);
  assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
  // The decoder still works afterwards.
  decoder.add(ourEncode({ type: 2, nsp: '/', data: ['ok'] }));
  assert.equal(emitted, 1);
});

test('A string chunk is refused with "invalid input".', () => {
  assert.throws(() => new Decoder().add('0{}'), /invalid input/);
});

// ---------------------------------------------------------------- msgpack decoder

const u8 = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])));
const be = (value: number, size: 1 | 2 | 4) =>
  size === 1 ? [value] : size === 2 ? [value >>> 8, value & 0xff] : [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const f64 = (value: number) => [...Buffer.from(new Float64Array([value]).buffer).reverse()];
const str = (s: string) => u8(fixstr(s));

test('The msgpack decoder reads every format it supports.', () => {
  const date = new Date(-1_234_567_890_123);
  const cases: [number[] | Uint8Array, unknown][] = [
    [[0xc0], null],
    [[0xc2], false],
    [[0xc3], true],
    [[0x00], 0],
    [[0x7f], 127],
    [[0xe0], -32],
    [[0xff], -1],
    [[0xcc, 0xff], 255],
    [[0xcd, 0xff, 0xfe], 65534],
    [[0xce, 0xff, 0xff, 0xff, 0xff], 2 ** 32 - 1],
    [[0xcf, 0, 0, 0, 1, 0, 0, 0, 2], 2 ** 32 + 2],
    [[0xcf, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], Number.MAX_SAFE_INTEGER],
    [[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 2 ** 64], // rounded, as notepack does
    [[0xd0, 0x80], -128],
    [[0xd0, 0x7f], 127],
    [[0xd1, 0x80, 0x00], -32768],
    [[0xd2, 0x80, 0, 0, 0], -(2 ** 31)],
    [[0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], -1],
    [[0xd3, 0xff, 0xe0, 0, 0, 0, 0, 0, 1], Number.MIN_SAFE_INTEGER],
    [[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], -(2 ** 63)],
    [[0xca, 0x3f, 0xc0, 0, 0], 1.5],
    [[0xca, 0xff, 0x80, 0, 0], -Infinity],
    [[0xcb, ...f64(Math.PI)], Math.PI],
    [[0xcb, ...f64(-1e-300)], -1e-300],
    [[0xa0], ''],
    [[0xa3, 0x61, 0x62, 0x63], 'abc'],
    [[0xd9, 3, 0x61, 0x62, 0x63], 'abc'],
    [[0xda, 0, 3, 0x61, 0x62, 0x63], 'abc'],
    [[0xdb, 0, 0, 0, 3, 0x61, 0x62, 0x63], 'abc'],
    [[0xa3, 0xef, 0xbb, 0xbf], '\ufeff'], // a BOM is a character like any other
    [[0xa4, 0xf0, 0x9f, 0x8e, 0x89], '🎉'],
    [[0xa3, 0x61, 0xff, 0x62], 'a\ufffdb'], // invalid UTF-8 is replaced, as Buffer#toString does
    [[0xc4, 3, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc5, 0, 3, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc6, 0, 0, 0, 3, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc4, 0], new Uint8Array(0)],
    [[0x92, 1, 0xc0], [1, null]],
    [[0xdc, 0, 2, 1, 0xc0], [1, null]],
    [[0xdd, 0, 0, 0, 2, 1, 0xc0], [1, null]],
    [[0x81, 0xa1, 0x61, 1], { a: 1 }],
    [[0xde, 0, 1, 0xa1, 0x61, 1], { a: 1 }],
    [[0xdf, 0, 0, 0, 1, 0xa1, 0x61, 1], { a: 1 }],
    [[0x81, 0xd9, 1, 0x61, 1], { a: 1 }],
    [[0x81, 0xda, 0, 1, 0x61, 1], { a: 1 }],
    [[0x81, 0xdb, 0, 0, 0, 1, 0x61, 1], { a: 1 }],
    [[0x82, 0xa1, 0x61, 1, 0xa1, 0x61, 2], { a: 2 }], // a later duplicate wins
    // Number keys become strings; nothing else is accepted as a key.
    [[0x85, 0x01, 1, 0xff, 2, 0xcb, ...f64(1.5), 3, 0xcd, 1, 0, 4, 0xd3, 0, 0, 0, 0, 0, 0, 0, 5, 5], { 1: 1, '-1': 2, 1.5: 3, 256: 4, 5: 5 }],
    // notepack's ext type 0: undefined, Date, ArrayBuffer.
    [[0xd4, 0, 0], undefined],
    [[0xd7, 0, ...be(Math.floor(date.getTime() / 2 ** 32), 4), ...be(date.getTime() >>> 0, 4)], date],
    [[0xc7, 3, 0, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc8, 0, 3, 0, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc9, 0, 0, 0, 3, 0, 1, 2, 3], new Uint8Array([1, 2, 3])],
    [[0xc7, 1, 0, 9], new Uint8Array([9])],
    [[0xc7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8], new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])],
  ];
  for (const [input, expected] of cases) {
    const label = Buffer.from(input).toString('hex');
    assert.deepEqual(normalize(decode(Uint8Array.from(input))), expected, label);
    assert.deepEqual(normalize(decode(Buffer.from(input))), expected, label);
  }

  const refused: [number[], RegExp][] = [
    [[0xc1], /invalid byte/],
    ...[[0xc0], [0xc3], [0xc4, 0], [0x90], [0x80], [0xd4, 0, 0], [0xc7, 0, 0]].map((key): [number[], RegExp] => [
      [0x81, ...key, 1],
      /unsupported map key/,
    ]),
    [[0xd4, 1, 0], /extension type 1/],
    [[0xd6, 0xff, 0, 0, 0, 0], /extension type -1/], // msgpack timestamp 32
    [[0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0], /extension type -1/], // msgpack timestamp 64
    [[0xc7, 12, 0xff, ...new Array<number>(12).fill(0)], /extension type -1/], // msgpack timestamp 96
    [[0xc7, 1, 5, 0], /extension type 5/],
    [[0xd5, 0, 0, 0], /fixext 2 of type 0/],
    [[0xd6, 0, 0, 0, 0, 0], /fixext 4 of type 0/],
    [[0xd8, 0, ...new Array<number>(16).fill(0)], /fixext 16 of type 0/],
  ];
  for (const [input, error] of refused) {
    assert.throws(() => decode(Uint8Array.from(input)), error, Buffer.from(input).toString('hex'));
  }
});

test('Decoded binary is a Buffer view for a Buffer and a plain Uint8Array view otherwise.', () => {
  const message = u8(0x92, 0xc4, 2, 7, 8, 0xc7, 1, 0, 9);
  for (const input of [message, Buffer.from(message.buffer), new Uint8Array(u8(0, 0, ...message).buffer, 2)]) {
    const [bin, ext] = decode(input) as Uint8Array[];
    for (const view of [bin!, ext!]) {
      assert.equal(view.buffer, input.buffer, 'not a copy');
      assert.equal(Buffer.isBuffer(view), Buffer.isBuffer(input));
    }
    assert.deepEqual([...bin!, ...ext!], [7, 8, 9]);
  }
});

test('__proto__, constructor and prototype map keys become own properties and change no prototype.', () => {
  const hostile = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":{"polluted":3},"toString":4,"hasOwnProperty":5,"__defineSetter__":6}';
  const keys = Object.keys(JSON.parse(hostile) as object);
  function check(value: unknown): void {
    assert.ok(value !== null && typeof value === 'object');
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), keys);
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      assert.deepEqual(Object.keys(descriptor ?? {}), ['value', 'writable', 'enumerable', 'configurable'], key);
      assert.ok(descriptor!.writable && descriptor!.enumerable && descriptor!.configurable, key);
    }
    assert.deepEqual(normalize(value), JSON.parse(hostile));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
    assert.equal(typeof ({}).toString, 'function');
  }
  check(decode(msgpackEncode(JSON.parse(hostile))));
  check(decode(Buffer.from(msgpackEncode([JSON.parse(hostile)])).subarray(1)));

  // A duplicate __proto__ key: the last one wins, still as an own property.
  const twice = decode(u8(0x82, str('__proto__'), 1, str('__proto__'), 0x81, str('x'), 2)) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(twice), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(twice, '__proto__')?.value, { x: 2 });
  assert.equal(twice['x'], undefined);

  // Even a setter planted on Object.prototype is never called.
  let called = 0;
  Object.defineProperty(Object.prototype, 'trap', { set: () => called++, configurable: true });
  try {
    const value = decode(u8(0x81, str('trap'), 1)) as Record<string, unknown>;
    assert.equal(called, 0);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, 'trap'), { value: 1, writable: true, enumerable: true, configurable: true });
  } finally {
    delete (Object.prototype as Record<string, unknown>)['trap'];
  }
});

test('Payloads with __proto__ keys reach the application, from every encoder, and pollute nothing.', () => {
  const payload = JSON.parse('{"sessionId":"x","__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}');
  const packet = { type: 2, nsp: '/', data: ['content', payload], id: 4 };
  for (const message of [ourEncode(packet as Packet), stockEncode(packet), msgpackEncode(packet)]) {
    const decoded = ourDecode(message);
    assert.deepEqual(normalize(decoded), normalize(packet));
    const got = (decoded.data as unknown[])[1] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.ok(Object.hasOwn(got, '__proto__') && Object.hasOwn(got, 'constructor'));
    assert.equal(got['isAdmin'], undefined);
  }
  // CONNECT auth data may carry one too; a top-level one is dropped like any unknown packet key.
  const connect = JSON.parse('{"type":0,"nsp":"/","data":{"__proto__":{"polluted":1}}}');
  assert.ok(Object.hasOwn(ourDecode(msgpackEncode(connect)).data as object, '__proto__'));
  const top = JSON.parse('{"type":2,"nsp":"/","data":["x"],"__proto__":{"polluted":1}}');
  assert.deepEqual(ourDecode(msgpackEncode(top)), { type: 2, nsp: '/', data: ['x'] });
  assert.deepEqual(ourDecode(stockEncode(top)), { type: 2, nsp: '/', data: ['x'] });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(({} as Record<string, unknown>)['isAdmin'], undefined);
});

/** `depth` nested arrays (or single-key maps) around an empty one. */
function nestedBytes(depth: number, kind: 'array' | 'map'): Uint8Array {
  const open = kind === 'array' ? [0x91] : [0x81, ...fixstr('k')];
  const out = new Uint8Array((depth - 1) * open.length + 1);
  for (let i = 0; i < depth - 1; i++) out.set(open, i * open.length);
  out[out.length - 1] = kind === 'array' ? 0x90 : 0x80;
  return out;
}

test(`The msgpack decoder reads ${DEFAULT_MAX_DEPTH} nested levels and refuses more, without deep recursion.`, () => {
  assert.equal(DEFAULT_MAX_DEPTH, 64);
  for (const kind of ['array', 'map'] as const) {
    let value = decode(nestedBytes(64, kind));
    let depth = 0;
    while (value !== null && typeof value === 'object') {
      depth++;
      value = Array.isArray(value) ? value[0] : (value as Record<string, unknown>)['k'];
    }
    assert.equal(depth, 64, kind);
    // A leaf inside the 64th level is fine: only containers count.
    assert.doesNotThrow(() => decode(u8(nestedBytes(64, kind).subarray(0, -1), kind === 'array' ? [0x91, 1] : [0x81, ...fixstr('k'), 1])));
    for (const depth of [65, 66, 10_000, 1_000_000]) {
      assert.throws(() => decode(nestedBytes(depth, kind)), /msgpack: nested too deeply/, `${kind} ${depth}`);
    }
  }
  assert.doesNotThrow(() => decode(nestedBytes(10, 'array'), 10));
  assert.throws(() => decode(nestedBytes(11, 'array'), 10), /nested too deeply/);
});

test('Declared lengths larger than the input are refused before anything is allocated.', () => {
  const headers = [
    [0xdc, 0xff, 0xff], [0xdd, 0xff, 0xff, 0xff, 0xff], [0xdd, 0x7f, 0xff, 0xff, 0xff], [0xdd, 0, 1, 0, 0],
    [0xde, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdf, 0, 0, 0, 3],
    [0xd9, 0xff], [0xda, 0xff, 0xff], [0xdb, 0xff, 0xff, 0xff, 0xff],
    [0xc4, 0xff], [0xc5, 0xff, 0xff], [0xc6, 0xff, 0xff, 0xff, 0xff], [0xc6, 0x7f, 0xff, 0xff, 0xff],
    [0xc7, 0xff, 0], [0xc8, 0xff, 0xff, 0], [0xc9, 0xff, 0xff, 0xff, 0xff, 0],
  ];
  const before = process.memoryUsage();
  for (const header of headers) {
    for (const prefix of [[], [0x92, 0x01], [0x81, ...fixstr('big')]]) {
      const input = u8(prefix, header, 1, 1, 1, 1, 1);
      for (let i = 0; i < 200; i++) {
        assert.throws(() => decode(input), /msgpack: declared length \d+ exceeds the \d+ remaining bytes/, Buffer.from(input).toString('hex'));
      }
    }
  }
  const after = process.memoryUsage();
  assert.ok(after.arrayBuffers - before.arrayBuffers < 16 << 20, 'no big buffers');
  // A map needs at least 2 bytes per entry, an array 1 byte per item.
  assert.throws(() => decode(u8(0x82, 1, 2, 3)), /declared length 2 exceeds the 3 remaining bytes/);
  assert.throws(() => decode(u8(0x94, 1, 2, 3)), /declared length 4 exceeds the 3 remaining bytes/);
});

/** One message using every format the decoder reads, once or more. */
function everyFormat(): Uint8Array {
  const entries: Uint8Array[] = [
    u8(str('nil'), 0xc0), u8(str('t'), 0xc3), u8(str('f'), 0xc2),
    u8(str('ints'), 0x9d, 5, 0xf0, 0xcc, 200, 0xcd, 1, 2, 0xce, 1, 2, 3, 4, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0,
      0xd0, 0x80, 0xd1, 0x80, 1, 0xd2, 0x80, 0, 0, 1, 0xd3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xca, 0x3f, 0xc0, 0, 0, 0xcb, ...f64(0.1), 0xc0),
    u8(str('strs'), 0x94, str('héllo'), 0xd9, 2, 0x68, 0x69, 0xda, 0, 1, 0x61, 0xdb, 0, 0, 0, 2, 0xc3, 0xa9),
    u8(str('long'), 0xd9, 40, ...Buffer.from('ünïcødé '.repeat(4)).subarray(0, 40)),
    u8(str('bins'), 0x93, 0xc4, 1, 1, 0xc5, 0, 2, 1, 2, 0xc6, 0, 0, 0, 1, 9),
    u8(str('exts'), 0x95, 0xd4, 0, 0, 0xd7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0xc7, 1, 0, 5, 0xc8, 0, 1, 0, 6, 0xc9, 0, 0, 0, 1, 0, 7),
    u8(str('arrays'), 0x93, 0x90, 0xdc, 0, 1, 0xc0, 0xdd, 0, 0, 0, 1, 0xc0),
    u8(str('maps'), 0x93, 0x80, 0xde, 0, 1, 1, 0xc0, 0xdf, 0, 0, 0, 1, 0xd9, 1, 0x6b, 0xc0),
    u8(str('__proto__'), 0x81, str('constructor'), 0xc0),
  ];
  return u8(0xde, 0, entries.length, ...entries);
}

test('Every truncation of valid messages is refused, and so are trailing bytes.', () => {
  const messages = [
    everyFormat(),
    ...cases()
      .map(ourEncode)
      .filter((m) => m.length < 4096),
    stockEncode({ type: 2, nsp: '/', data: ['u', new Uint8Array(20), undefined, new Date(0), 'x'.repeat(40), -70000, 1.5], id: 3 }),
    msgpackEncode({ type: 2, nsp: '/', data: ['big', 2 ** 40, -(2 ** 40), { n: 2 ** 53 - 1 }, 'é'.repeat(200)] }),
  ];
  assert.ok(messages.length > 10);
  for (const [i, message] of messages.entries()) {
    assert.doesNotThrow(() => decode(message), `message #${i}`);
    for (let n = 0; n < message.length; n++) {
      assert.throws(
        () => decode(message.subarray(0, n)),
        (e: unknown) => e instanceof MsgpackDecodeError && /truncated|exceeds/.test(e.message),
        `message #${i} truncated to ${n}`,
      );
    }
    for (const extra of [[0xc0], [0x00], [0xff, 0xff], [...message]]) {
      assert.throws(() => decode(u8(message, extra)), /msgpack: \d+ trailing bytes/, `message #${i} + ${extra.length}`);
    }
  }
  assert.throws(() => decode(new Uint8Array(0)), /truncated/);
});

test('Short strings decoded by hand equal TextDecoder and Buffer#toString, valid UTF-8 or not.', () => {
  const pieces = [[0x61], [0x7f], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x8e, 0x89], [0xef, 0xbb, 0xbf],
    [0x80], [0xc0, 0x80], [0xc3], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8], [0xff], [0xe2, 0x82]];
  const reference = new TextDecoder('utf-8', { ignoreBOM: true });
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 })), { maxLength: 12 }), (parts) => {
      const bytes = parts.flat();
      fc.pre(bytes.length < 256);
      const got = decode(u8(0xd9, bytes.length, bytes));
      assert.equal(got, reference.decode(Uint8Array.from(bytes)));
      assert.equal(got, Buffer.from(bytes).toString('utf8'));
    }),
    { seed: 0x5eed, numRuns: 5000 },
  );
});

/** Values both notepack and our encoder represent; `undefined` only where asked (our encoder drops or nils it). */
function valueArbitrary(withUndefined: boolean, safeNumbersOnly: boolean) {
  const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '0', '42'));
  const number = safeNumbersOnly
    ? fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double().filter((d) => !Number.isInteger(d) || Number.isSafeInteger(d)))
    : fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double());
  const leaves = [
    fc.constant(null),
    fc.boolean(),
    number,
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 30, maxLength: 300 }),
    fc.string({ unit: 'binary', minLength: 30, maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.date({ noInvalidDate: true }),
    ...(withUndefined ? [fc.constant(undefined)] : []),
  ];
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, ...leaves, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 20 }),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 20 }).map((entries) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
      return out;
    }),
  })).value;
}

/** What a value decodes to: -0 is sent as the integer 0 by both encoders; binaries compare by bytes. */
function expected(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(expected);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: expected(v), writable: true, enumerable: true, configurable: true });
    return out;
  }
  return value;
}

test('Random values round-trip through our encoder and from notepack into our decoder.', () => {
  const encoder = new Encoder();
  fc.assert(
    fc.property(valueArbitrary(false, false), (value) => {
      const message = encoder.encode({ type: 2, nsp: '/', data: ['v', value] })[0]!;
      assert.deepEqual(normalize((ourDecode(message).data as unknown[])[1]), expected(value));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    }),
    { seed: 1, numRuns: 3000 },
  );
  fc.assert(
    fc.property(valueArbitrary(true, true), fc.boolean(), (value, buffers) => {
      const message = stockEncode({ type: 2, nsp: '/', data: ['v', buffers ? asBuffers(value) : value] });
      assert.deepEqual(normalize((ourDecode(message).data as unknown[])[1]), expected(value));
      // The raw decoder agrees on any top-level value, not only on packets.
      assert.deepEqual(normalize(decode(stockEncode(value as object))), expected(value));
    }),
    { seed: 2, numRuns: 3000 },
  );
});

// ---------------------------------------------------------------- msgpack encoder

function hasDate(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return false;
  return Object.values(value).some(hasDate);
}

test('The msgpack encoder writes the bytes notepack and @msgpack write, for values both represent.', () => {
  // notepack: Buffers as bin (its Uint8Arrays are ext), same Date; @msgpack: same binaries, not Dates.
  fc.assert(
    fc.property(valueArbitrary(false, true), (value) => {
      const ours = Buffer.from(encode(value));
      assert.deepEqual(ours, stockEncode(asBuffers(value) as object));
      if (!hasDate(value)) {
        assert.deepEqual(ours, Buffer.from(msgpackEncode(value, { ignoreUndefined: true })));
      }
    }),
    { seed: 3, numRuns: 3000 },
  );
  // undefined: left out of maps, nil in arrays (what @msgpack's ignoreUndefined did).
  assert.deepEqual([...encode({ a: undefined, b: [undefined], c: null })], [0x82, ...fixstr('b'), 0x91, 0xc0, ...fixstr('c'), 0xc0]);
});

test('The msgpack encoder writes strings as well-formed UTF-8, lone surrogates as U+FFFD.', () => {
  const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const someSurrogates = fc.constantFrom('\ud83c', '\udf89', '\ud83c\udf89', 'é', 'x', '日');
  fc.assert(
    fc.property(fc.string({ unit: fc.oneof(anyUnit, someSurrogates), maxLength: 200 }), (s) => {
      const utf8 = Buffer.from(s, 'utf8'); // Node replaces lone surrogates with U+FFFD too
      const out = Buffer.from(encode(s));
      assert.deepEqual(out.subarray(out.length - utf8.length), utf8);
      assert.equal(decode(out), utf8.toString('utf8'));
    }),
    { seed: 4, numRuns: 3000 },
  );
  assert.deepEqual([...encode('a\ud800')], [0xa4, 0x61, 0xef, 0xbf, 0xbd]);
  assert.deepEqual([...encode('\udc00' + 'a'.repeat(70)).subarray(0, 5)], [0xd9, 73, 0xef, 0xbf, 0xbd]);
});

test('The msgpack encoder refuses functions, symbols and bigints anywhere, and returns a Buffer on Node.', () => {
  for (const bad of [() => 1, Symbol('s'), 10n]) {
    assert.throws(() => encode(bad), /cannot encode/);
    assert.throws(() => encode({ a: [1, { b: bad }] }), /cannot encode/);
    assert.throws(() => new Encoder().encode({ type: 2, nsp: '/', data: ['x', bad] }), /cannot encode/);
  }
  for (const value of [null, 'x', { big: bytes(10_000) }]) {
    const out = encode(value);
    assert.ok(Buffer.isBuffer(out));
    assert.deepEqual(decode(out), value === null || typeof value === 'string' ? value : { big: Buffer.from(bytes(10_000)) });
  }
  // Depth: the value itself is level 1.
  assert.doesNotThrow(() => encode([[1]], 3));
  assert.throws(() => encode([[[1]]], 3), /nested too deeply/);
});

// ---------------------------------------------------------------- integration

test('A Socket.IO server with our parser serves stock and own clients and survives malformed packets.', { timeout: 15_000 }, async (t) => {
  const httpServer = createServer();
  const io = new Server(httpServer, { parser, serveClient: false });
  io.on('connection', (socket) => {
    socket.on('error', () => {}); // a malformed packet on a joined socket is reported here
    socket.on('echo', (payload: unknown, ack: (reply: unknown) => void) => ack(payload));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => io.close());
  const port = (httpServer.address() as AddressInfo).port;

  async function roundTrip(clientParser: object, transport: 'websocket' | 'polling'): Promise<void> {
    const socket = connect(`http://127.0.0.1:${port}`, { parser: clientParser, transports: [transport], forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const payload = { text: 'héllo 🌍', big: bytes(70_000), small: Buffer.from([1, 2, 3]), list: [1, null, 'x'] };
      const reply: unknown = await socket.timeout(10_000).emitWithAck('echo', payload);
      assert.deepEqual(normalize(reply), normalize(payload));
    } finally {
      socket.disconnect();
    }
  }

  /** Opens a raw engine.io connection, optionally joins "/", sends one frame, and waits for the server to close it. */
  async function sendRaw(frame: Uint8Array | string, joinFirst = false): Promise<void> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    try {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      const nextMessage = () =>
        new Promise<string | Buffer>((resolve, reject) => {
          ws.once('message', (data, isBinary) => resolve(isBinary ? (data as Buffer) : String(data)));
          ws.once('error', reject);
        });
      assert.match(String(await nextMessage()), /^0\{/); // engine.io open packet
      if (joinFirst) {
        ws.send(msgpackEncode({ type: 0, nsp: '/' })); // binary frame = one engine.io message, no prefix
        const reply = await nextMessage();
        assert.ok(Buffer.isBuffer(reply));
        assert.equal(ourDecode(reply).type, PacketType.CONNECT);
      }
      ws.send(frame);
      await closed;
    } finally {
      ws.terminate();
    }
  }

  for (const [name, clientParser] of [['the stock parser', stock], ['our parser', parser]] as const) {
    for (const transport of ['websocket', 'polling'] as const) {
      await t.test(`A client with ${name} round-trips binary with an ack over ${transport}.`, () =>
        roundTrip(clientParser, transport),
      );
    }
  }

  await t.test('Malformed packets close only the offending connection and the server keeps serving.', async () => {
    const random = prng(42);
    const frames: (Uint8Array | string)[] = [
      msgpackEncode({ type: 0, nsp: 123 }),
      msgpackEncode({ type: 0, nsp: '/', data: [1] }),
      msgpackEncode({ type: 2, nsp: '/', data: ['connect'] }),
      Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)),
      nestedEvent(10_000),
      '4{"type":0,"nsp":"/"}', // a text engine.io message: not binary, so "invalid input"
    ];
    for (const frame of frames) await sendRaw(frame);
    await sendRaw(msgpackEncode({ type: 2, nsp: '/', data: [1] }), true);
    await roundTrip(parser, 'websocket');
    await roundTrip(stock, 'polling');
  });
});
