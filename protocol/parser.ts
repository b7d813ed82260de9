/**
 * Socket.IO parser (protocol 5), wire-compatible with socket.io-msgpack-parser
 * (notepack.io): each packet is one msgpack map {type, data, id?, nsp} sent as
 * one binary message. Use as the `parser` option of socket.io and socket.io-client.
 *
 * Compared with the stock parser it encodes binary as msgpack `bin` (only the
 * view's bytes), decodes `bin` as zero-copy views of the received message, and
 * validates decoded packets more strictly. notepack quirks accepted on decode:
 * ext type 0 is undefined (fixext 1), a Date (fixext 8, decoded to a Date like
 * stock does; our schemas reject it) or an ArrayBuffer (ext 8/16/32, decoded to
 * a Uint8Array view). Every other extension is rejected.
 *
 * Encoding uses @msgpack/msgpack; decoding uses our own decoder
 * (./msgpack/decode.ts), which unlike @msgpack accepts `__proto__` map keys
 * (as own properties, never touching a prototype) so that such payloads reach
 * the application's validation instead of closing the connection.
 */
import { Emitter } from '@socket.io/component-emitter';
import { Encoder as MsgpackEncoder, ExtData } from '@msgpack/msgpack';
import type { ExtensionCodecType } from '@msgpack/msgpack';
import { decode } from './msgpack/decode.ts';

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
const BIN32_MAX = 0xffffffff;

// ---------------------------------------------------------------- encoding

/** A binary met while encoding: `at` is where its placeholder starts in the encoder's buffer. */
interface Slot {
  at: number;
  bytes: Uint8Array;
}

/** A function-valued ExtData is written as an ext 32 header (6 bytes) followed by what it returns. */
const PLACEHOLDER_SIZE = 6;
const NO_BYTES = new Uint8Array(0);

const encodeExtensions: ExtensionCodecType<Slot[]> = {
  tryToEncode(value, slots) {
    let bytes: Uint8Array;
    if (value instanceof Uint8Array) bytes = value;
    else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
    else if (value instanceof Date) return new ExtData(0, encodeNotepackDate(value));
    else return null;
    if (bytes.length > BIN32_MAX) throw new Error('binary too large');
    // Binary is not copied into @msgpack's buffer (which would grow and then be
    // copied out again): we only note its position and splice it in once, in stitch().
    return new ExtData(0, (dataPos) => {
      slots.push({ at: dataPos - PLACEHOLDER_SIZE, bytes });
      return NO_BYTES;
    });
  },
  decode() {
    throw new Error('unreachable');
  },
};

/** notepack's Date: fixext 8, type 0, milliseconds as int32 high + uint32 low. */
function encodeNotepackDate(date: Date): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  const time = date.getTime();
  view.setInt32(0, Math.floor(time / 2 ** 32));
  view.setUint32(4, time >>> 0);
  return out;
}

function writeBinHeader(out: Uint8Array, pos: number, length: number): number {
  if (length < 0x100) {
    out[pos] = 0xc4;
    out[pos + 1] = length;
    return pos + 2;
  }
  if (length < 0x10000) {
    out[pos] = 0xc5;
    out[pos + 1] = length >>> 8;
    out[pos + 2] = length & 0xff;
    return pos + 3;
  }
  out[pos] = 0xc6;
  new DataView(out.buffer, out.byteOffset + pos + 1, 4).setUint32(0, length);
  return pos + 5;
}

/** Copies the skeleton into a fresh buffer, replacing each placeholder with a `bin` header + bytes. */
function stitch(skeleton: Uint8Array, slots: readonly Slot[]): Uint8Array {
  if (slots.length === 0) return skeleton.slice();
  let size = skeleton.length;
  for (const { bytes } of slots) {
    size += bytes.length + (bytes.length < 0x100 ? 2 : bytes.length < 0x10000 ? 3 : 5) - PLACEHOLDER_SIZE;
  }
  const out = new Uint8Array(size);
  let from = 0;
  let to = 0;
  for (const { at, bytes } of slots) {
    out.set(skeleton.subarray(from, at), to);
    to = writeBinHeader(out, to + at - from, bytes.length);
    out.set(bytes, to);
    to += bytes.length;
    from = at + PLACEHOLDER_SIZE;
  }
  out.set(skeleton.subarray(from), to);
  return out;
}

export class Encoder {
  private readonly slots: Slot[] = [];
  // One @msgpack encoder per instance: its buffer is reused; the result is always copied out
  // because Socket.IO may hold (or broadcast) the returned buffer after encode() returns.
  private readonly msgpack = new MsgpackEncoder<Slot[]>({
    extensionCodec: encodeExtensions,
    context: this.slots,
    ignoreUndefined: true, // the stock decoder rejects `id: null`, so absent keys must stay absent
    maxDepth: MAX_DEPTH,
  });

  encode(packet: Packet): Uint8Array[] {
    // Only the wire fields, in the order the Socket.IO server builds them (drops client `options`).
    const { type, data, id, nsp } = packet;
    this.slots.length = 0;
    try {
      return [stitch(this.msgpack.encodeSharedRef({ type, data, id, nsp }), this.slots)];
    } finally {
      this.slots.length = 0; // do not keep the caller's binaries alive
    }
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

/** Decodes and validates one message; throws an Error on anything malformed. */
export function decodePacket(chunk: unknown): Packet {
  const value = decode(toBytes(chunk), MAX_DEPTH);
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

export class Decoder extends Emitter<{}, {}, DecoderReservedEvents> {
  /** Throws on malformed input; Socket.IO catches it and closes that connection only. */
  add(chunk: unknown): void {
    this.emitReserved('decoded', decodePacket(chunk));
  }

  destroy(): void {}
}
