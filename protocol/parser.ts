/**
 * Socket.IO parser (protocol 5), wire-compatible with socket.io-msgpack-parser
 * (notepack.io): each packet is one msgpack map {type, data, id?, nsp} sent as
 * one binary message. Use as the `parser` option of socket.io and socket.io-client.
 *
 * Compared with the stock parser it encodes binary as msgpack `bin` (only the
 * view's bytes), decodes `bin` as zero-copy views of the received message, and
 * validates decoded packets more strictly. A packet with one large binary (a
 * file chunk) has the map entries holding it written last, so a server can
 * send it without copying it (Encoder.encodeSplit); msgpack maps are
 * unordered, so the stock decoder reads the same packet.
 *
 * notepack quirks accepted on decode: ext type 0 is undefined (fixext 1), a
 * Date (fixext 8, decoded to a Date like stock does; our schemas reject it) or
 * an ArrayBuffer (ext 8/16/32, decoded to a Uint8Array view). Every other
 * extension is rejected.
 *
 * The msgpack encoder and decoder are our own (./msgpack/). The decoder
 * accepts `__proto__`, `constructor`... map keys as own properties (never
 * touching a prototype), so such payloads reach the application's validation
 * instead of closing the connection; it refuses nesting deeper than 64 levels,
 * truncated input, impossible lengths and trailing bytes while reading.
 */
import { Emitter } from '@socket.io/component-emitter';
import { decodeCounted, type DecodeLimits } from './msgpack/decode.ts';
import { MAX_OUTBOUND_STRING_BYTES, MAX_OUTBOUND_VALUES } from './limits.ts';
import { giveBack, take } from './msgpack/buffer-pool.ts';
import { allocate, encode, encodeSplit, type SplitEncoding } from './msgpack/encode.ts';

export const protocol = 5;

export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export interface Packet {
  type: PacketType;
  nsp: string;
  data?: unknown;
  id?: number;
}

/** Same list as socket.io-parser: these names would collide with Socket.IO's own events. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);
const MAX_NSP_LENGTH = 256;
const MAX_ID = 0x7fffffff;
/**
 * Nesting limit for maps/arrays; the packet map itself is depth 1, `data` depth 2.
 * The decoder refuses deeper input while reading it; the encoder never writes it.
 */
const MAX_DEPTH = 64;
/**
 * A packet holding one binary at least this large (a file chunk) has the map
 * entries leading to it written last, so that encodeSplit() can hand it over
 * without copying. Below this size a copy costs less than a second write.
 */
export const LARGE_BINARY = 16 * 1024;

// ---------------------------------------------------------------- encoding

/** Only the wire fields, in the order the Socket.IO server builds them (drops client `options`). */
function wireFields({ type, data, id, nsp }: Packet): Packet {
  return { type, data, id, nsp };
}

/** Large buffers encode() made for one packet, which no one else holds (see ownsItsBytes). */
const ownedEncodings = new WeakSet<Uint8Array>();
/** Set by useInPlaceWrites(); until then encode() neither tracks nor pools (servers, browsers). */
let inPlaceWrites = false;

/**
 * Called by a client transport that changes large encodings in place and
 * gives them back once written (client/sdk/node-websocket.ts): from then on
 * encode() marks them (ownsItsBytes) and takes their buffers from the pool
 * that recycleEncoding() fills.
 */
export function useInPlaceWrites(): void {
  inPlaceWrites = true;
}

function allocateOutput(size: number): Uint8Array {
  return inPlaceWrites && size >= LARGE_BINARY ? take(size) : allocate(size);
}

/**
 * True for a large buffer returned by Encoder.encode(). A Socket.IO client
 * sends it once and keeps no other reference, so its transport may change it
 * in place (mask it there instead of into a copy; see
 * client/sdk/node-websocket.ts). Not so on a server, where one encoding is
 * written to every recipient of a broadcast. Never true for the application's
 * own buffers.
 */
export function ownsItsBytes(data: unknown): boolean {
  return data instanceof Uint8Array && ownedEncodings.has(data);
}

/**
 * Gives such a buffer back for later encodings, once it has been written and
 * nothing reads it any more. Only the first call for a buffer counts.
 */
export function recycleEncoding(data: Uint8Array): void {
  if (ownedEncodings.delete(data)) giveBack(data);
}

export class Encoder {
  /**
   * A buffer no one else holds (new, or from the pool once its last packet was written):
   * Socket.IO may hold (or broadcast) it after encode() returns.
   * Absent `data`/`id` are left out, never sent as nil (the stock decoder rejects `id: null`).
   */
  encode(packet: Packet): Uint8Array[] {
    const bytes = encode(wireFields(packet), MAX_DEPTH, LARGE_BINARY, allocateOutput);
    if (inPlaceWrites && bytes.length >= LARGE_BINARY) ownedEncodings.add(bytes);
    return [bytes];
  }

  /**
   * The bytes encode() gives, as the part before the packet's large binary
   * and that binary itself, not copied (see LARGE_BINARY); `tail` is absent
   * when the packet has none. For writing a packet as one WebSocket frame from
   * two buffers (server/io/binary-frame-adapter.ts).
   */
  encodeSplit(packet: Packet): SplitEncoding {
    return encodeSplit(wireFields(packet), LARGE_BINARY, MAX_DEPTH);
  }
}

// ---------------------------------------------------------------- decoding

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isDataValid(type: PacketType, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return data === undefined || isPlainObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === 'string' || isPlainObject(data);
    case PacketType.EVENT:
      // socket.io-parser also allows numeric event names; we do not.
      return Array.isArray(data) && typeof data[0] === 'string' && !RESERVED_EVENTS.has(data[0]);
    case PacketType.ACK:
      return Array.isArray(data);
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new Error('invalid input');
}

/** What a client accepts from a server (limits.ts); a server passes its own, stricter ones. */
const FROM_SERVER: DecodeLimits = { maxValues: MAX_OUTBOUND_VALUES, maxStringBytes: MAX_OUTBOUND_STRING_BYTES };

/**
 * Decodes and validates one message; throws an Error on anything malformed
 * or past `limits`. `onCost` hears how many values it held (for budgets).
 */
export function decodePacket(chunk: unknown, limits: DecodeLimits = FROM_SERVER, onCost?: (values: number) => void): Packet {
  const { value, values } = decodeCounted(toBytes(chunk), { ...limits, maxDepth: MAX_DEPTH });
  onCost?.(values);
  if (!isPlainObject(value)) throw new Error('invalid packet');
  const { type, nsp, data, id } = value;
  if (type !== 0 && type !== 1 && type !== 2 && type !== 3 && type !== 4) throw new Error('invalid packet type');
  if (typeof nsp !== 'string' || nsp.length > MAX_NSP_LENGTH || !nsp.startsWith('/')) {
    throw new Error('invalid namespace');
  }
  if (!isDataValid(type, data)) throw new Error('invalid payload');
  if (id !== undefined && !(Number.isInteger(id) && (id as number) >= 0 && (id as number) <= MAX_ID)) {
    throw new Error('invalid packet id');
  }
  // A fresh object: unknown keys sent by the peer never reach Socket.IO.
  const packet: Packet = { type, nsp };
  if (data !== undefined) packet.data = data;
  if (id !== undefined) packet.id = id as number;
  return packet;
}

interface DecoderReservedEvents {
  decoded: (packet: Packet) => void;
}

/** Decoding work allowed per connection: `values` per `windowMs` (fixed windows). */
export interface DecodeBudget {
  values: number;
  windowMs: number;
}

/**
 * One per connection (Socket.IO makes one for each). Without arguments it
 * has a client's limits; a server gives its own and a budget
 * (server/io/server-parser.ts).
 */
export class Decoder extends Emitter<{}, {}, DecoderReservedEvents> {
  private windowStart = 0;
  private spent = 0;
  private readonly charge: ((values: number) => void) | undefined;

  constructor(
    private readonly limits: DecodeLimits = FROM_SERVER,
    budget?: DecodeBudget,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.charge = budget && ((values) => this.spend(values, budget));
  }

  /** Throws on malformed input, or past the limits or budget; Socket.IO catches it and closes that connection only. */
  add(chunk: unknown): void {
    this.emitReserved('decoded', decodePacket(chunk, this.limits, this.charge));
  }

  private spend(values: number, budget: DecodeBudget): void {
    const now = this.now();
    if (now - this.windowStart >= budget.windowMs) {
      this.windowStart = now;
      this.spent = 0;
    }
    this.spent += values;
    if (this.spent > budget.values) throw new Error(`more than ${budget.values} values decoded in ${budget.windowMs} ms`);
  }

  destroy(): void {}
}
