import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode as msgpackEncode, ExtData } from '@msgpack/msgpack';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import * as stock from 'socket.io-msgpack-parser';
import { WebSocket } from 'ws';
import * as parser from './parser.ts';
import { Decoder, Encoder, PacketType, protocol } from './parser.ts';
import type { Packet } from './parser.ts';

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
  const encoder = new Encoder(); // one instance for all: its internal buffer is reused
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
  assert.deepEqual(first, copy);
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

test('Nesting up to depth 32 is accepted and one level deeper is rejected.', () => {
  // The packet map is depth 1, `data` depth 2, so the inner arrays go from depth 3 to 2 + n.
  assert.equal(ourDecode(nestedEvent(30)).type, 2);
  assert.throws(() => ourDecode(nestedEvent(31)), /nested too deeply/);
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
    ['a top-level __proto__ key', JSON.parse('{"type":2,"nsp":"/","data":["x"],"__proto__":{"polluted":1}}')],
    ['a nested __proto__ key', JSON.parse('{"type":0,"nsp":"/","data":{"__proto__":{"polluted":1}}}')],
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
  // The decoder (and the @msgpack decoder shared behind it) still works afterwards.
  decoder.add(ourEncode({ type: 2, nsp: '/', data: ['ok'] }));
  assert.equal(emitted, 1);
});

test('A string chunk is refused with "invalid input".', () => {
  assert.throws(() => new Decoder().add('0{}'), /invalid input/);
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
