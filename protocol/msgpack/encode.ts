/**
 * A small msgpack encoder writing what @msgpack/msgpack wrote for us before
 * (with `ignoreUndefined`), plus notepack's Date, and binary as `bin`:
 *
 * - null → nil; undefined → nil in arrays, and the key is left out in maps.
 * - booleans; safe integers in the smallest int format; every other number
 *   (fractions, NaN, ±Infinity, integers beyond 2^53) as float64.
 * - strings as UTF-8 (fixstr/str8/str16/str32); lone surrogates become U+FFFD.
 * - Uint8Array and every other ArrayBuffer view (only the view's bytes), and
 *   ArrayBuffer → bin 8/16/32. Date → notepack's fixext 8 type 0.
 * - arrays; any other object → map of its own enumerable string keys.
 * - functions, symbols and bigints are refused, as @msgpack refuses them.
 *
 * Two passes: the first walks the value once (reading each property once),
 * checks depth and sizes and records a flat list of parts; the second writes
 * them into one buffer of the exact size, allocated once (Buffer.allocUnsafe
 * on Node, a Uint8Array elsewhere). Each binary is copied once, by `set`.
 *
 * encodeSplit() can skip even that copy for the one large binary of a value
 * (a file chunk): it moves the map entries that hold it to the end of their
 * maps, so that the binary's bytes are the last of the encoding, and returns
 * the bytes before them plus the binary itself. A WebSocket server can write
 * both as one frame (server/io/binary-frame-adapter.ts). Map key order carries
 * no meaning in msgpack, so any decoder reads the same value.
 */

export const DEFAULT_MAX_DEPTH = 64;

/** Markers in the list of parts; each is followed by a number (count, or time for a Date). */
const ARRAY = { marker: 'array' };
const MAP = { marker: 'map' };
const DATE = { marker: 'date' };

const LIMIT_32 = 0x100000000;
/** Strings shorter than this (UTF-16 units) are measured and written by hand. */
const SHORT_STRING = 64;

interface NodeBufferClass {
  allocUnsafe(size: number): Uint8Array;
  byteLength(string: string, encoding: 'utf8'): number;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;
const utf8 = new TextEncoder();

function utf8Length(s: string): number {
  const n = s.length;
  if (n >= SHORT_STRING && NodeBuffer !== undefined) return NodeBuffer.byteLength(s, 'utf8');
  let length = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else length += 2; // 3 bytes (lone surrogates too: U+FFFD)
  }
  return length;
}

/** Size of an array or map header. */
function headerSize(count: number): number {
  return count < 16 ? 1 : count < 0x10000 ? 3 : 5;
}

function numberSize(v: number): number {
  if (!Number.isSafeInteger(v)) return 9;
  if (v >= 0) return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < LIMIT_32 ? 5 : 9;
  return v >= -0x20 ? 1 : v >= -0x80 ? 2 : v >= -0x8000 ? 3 : v >= -0x80000000 ? 5 : 9;
}

function binSize(length: number): number {
  if (length >= LIMIT_32) throw new Error('msgpack: binary too large');
  return (length < 0x100 ? 2 : length < 0x10000 ? 3 : 5) + length;
}

class Planner {
  readonly parts: unknown[] = [];
  size = 0;
  readonly maxDepth: number;
  /** Binaries of at least this size count as large (0: no splitting, keys keep their order). */
  readonly largeBinary: number;
  /** How many large binaries were seen, and the index in `parts` of the first one. */
  largeCount = 0;
  largeIndex = -1;

  constructor(maxDepth: number, largeBinary = 0) {
    this.maxDepth = maxDepth;
    this.largeBinary = largeBinary;
  }

  addBinary(bytes: Uint8Array): void {
    if (this.largeBinary > 0 && bytes.length >= this.largeBinary && ++this.largeCount === 1) this.largeIndex = this.parts.length;
    this.parts.push(bytes);
    this.size += binSize(bytes.length);
  }

  /** Moves parts [from, to) to the end of the list, keeping track of the large binary among them. */
  moveToEnd(from: number, to: number): void {
    const moved = this.parts.splice(from, to - from);
    this.largeIndex += this.parts.length - from;
    for (const part of moved) this.parts.push(part);
  }

  add(value: unknown, depth: number): void {
    if (depth > this.maxDepth) throw new Error(`msgpack: nested too deeply (depth ${depth})`);
    const parts = this.parts;
    switch (typeof value) {
      case 'undefined':
        parts.push(null);
        this.size += 1;
        return;
      case 'boolean':
        parts.push(value);
        this.size += 1;
        return;
      case 'number':
        parts.push(value);
        this.size += numberSize(value);
        return;
      case 'string':
        this.addString(value);
        return;
      case 'object':
        break;
      default:
        throw new Error(`msgpack: cannot encode a ${typeof value}`);
    }
    if (value === null) {
      parts.push(null);
      this.size += 1;
    } else if (value instanceof Uint8Array) {
      this.addBinary(value);
    } else if (ArrayBuffer.isView(value)) {
      this.addBinary(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    } else if (value instanceof ArrayBuffer) {
      this.addBinary(new Uint8Array(value));
    } else if (value instanceof Date) {
      parts.push(DATE, value.getTime());
      this.size += 10;
    } else if (Array.isArray(value)) {
      const length = value.length;
      parts.push(ARRAY, length);
      this.size += headerSize(length);
      for (let i = 0; i < length; i++) this.add(value[i], depth + 1);
    } else {
      const record = value as Record<string, unknown>;
      const at = parts.length;
      parts.push(MAP, 0);
      let count = 0;
      // The parts of the entry holding the first large binary, moved last once the map is planned.
      let largeFrom = -1;
      let largeTo = -1;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (item === undefined) continue;
        count++;
        const from = parts.length;
        const largeBefore = this.largeCount;
        this.addString(key);
        this.add(item, depth + 1);
        if (largeBefore === 0 && this.largeCount > 0) {
          largeFrom = from;
          largeTo = parts.length;
        }
      }
      if (largeFrom >= 0 && largeTo < parts.length) this.moveToEnd(largeFrom, largeTo);
      parts[at + 1] = count;
      this.size += headerSize(count);
    }
  }

  addString(value: string): void {
    const length = utf8Length(value);
    if (length >= LIMIT_32) throw new Error('msgpack: string too long');
    this.parts.push(value, length);
    this.size += (length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5) + length;
  }
}

/** Writes `value` (< 2^32) as a 1-, 2- or 4-byte big-endian length after the given format bytes. */
function writeHeader(out: Uint8Array, pos: number, length: number, fix: number, fixMax: number, f8: number, f16: number, f32: number): number {
  if (length < fixMax) {
    out[pos] = fix | length;
    return pos + 1;
  }
  if (length < 0x100 && f8 !== 0) {
    out[pos] = f8;
    out[pos + 1] = length;
    return pos + 2;
  }
  if (length < 0x10000) {
    out[pos] = f16;
    out[pos + 1] = length >>> 8;
    out[pos + 2] = length & 0xff;
    return pos + 3;
  }
  out[pos] = f32;
  out[pos + 1] = length >>> 24;
  out[pos + 2] = (length >>> 16) & 0xff;
  out[pos + 3] = (length >>> 8) & 0xff;
  out[pos + 4] = length & 0xff;
  return pos + 5;
}

function writeNumber(out: Uint8Array, view: DataView, pos: number, v: number): number {
  if (!Number.isSafeInteger(v)) {
    out[pos] = 0xcb;
    view.setFloat64(pos + 1, v);
    return pos + 9;
  }
  if (v >= 0) {
    if (v < 0x80) {
      out[pos] = v;
      return pos + 1;
    }
    if (v < 0x100) {
      out[pos] = 0xcc;
      out[pos + 1] = v;
      return pos + 2;
    }
    if (v < 0x10000) {
      out[pos] = 0xcd;
      view.setUint16(pos + 1, v);
      return pos + 3;
    }
    if (v < LIMIT_32) {
      out[pos] = 0xce;
      view.setUint32(pos + 1, v);
      return pos + 5;
    }
    out[pos] = 0xcf;
  } else {
    if (v >= -0x20) {
      out[pos] = v & 0xff;
      return pos + 1;
    }
    if (v >= -0x80) {
      out[pos] = 0xd0;
      out[pos + 1] = v & 0xff;
      return pos + 2;
    }
    if (v >= -0x8000) {
      out[pos] = 0xd1;
      view.setInt16(pos + 1, v);
      return pos + 3;
    }
    if (v >= -0x80000000) {
      out[pos] = 0xd2;
      view.setInt32(pos + 1, v);
      return pos + 5;
    }
    out[pos] = 0xd3;
  }
  // uint64 / int64 of a safe integer: high word (signed for int64), low word.
  view.setInt32(pos + 1, Math.floor(v / LIMIT_32));
  view.setUint32(pos + 5, v >>> 0);
  return pos + 9;
}

function writeString(out: Uint8Array, pos: number, s: string, length: number): number {
  pos = writeHeader(out, pos, length, 0xa0, 32, 0xd9, 0xda, 0xdb);
  const n = s.length;
  if (n >= SHORT_STRING) {
    const { written } = utf8.encodeInto(s, out.subarray(pos, pos + length));
    if (written !== length) throw new Error('msgpack: string changed while encoding');
    return pos + length;
  }
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c < 0xe000) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[pos++] = 0xf0 | (c >> 18);
          out[pos++] = 0x80 | ((c >> 12) & 0x3f);
          out[pos++] = 0x80 | ((c >> 6) & 0x3f);
          out[pos++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd; // a lone surrogate
      }
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/** A new buffer of `size` bytes, contents unset (Buffer.allocUnsafe on Node). */
export function allocate(size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
}

/**
 * Writes the planned parts into `out` (exactly `out.length` bytes). With
 * `headerOnlyLast`, the last part (a binary) gets only its bin header written.
 */
function writeParts(parts: readonly unknown[], out: Uint8Array, headerOnlyLast: boolean): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const last = parts.length - 1;
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    switch (typeof part) {
      case 'number':
        pos = writeNumber(out, view, pos, part);
        break;
      case 'string':
        pos = writeString(out, pos, part, parts[++i] as number);
        break;
      case 'boolean':
        out[pos++] = part ? 0xc3 : 0xc2;
        break;
      default:
        if (part === null) {
          out[pos++] = 0xc0;
        } else if (part === ARRAY) {
          pos = writeHeader(out, pos, parts[++i] as number, 0x90, 16, 0, 0xdc, 0xdd);
        } else if (part === MAP) {
          pos = writeHeader(out, pos, parts[++i] as number, 0x80, 16, 0, 0xde, 0xdf);
        } else if (part === DATE) {
          // notepack's Date: fixext 8, type 0, milliseconds as int32 high + uint32 low.
          const time = parts[++i] as number;
          out[pos] = 0xd7;
          out[pos + 1] = 0;
          view.setInt32(pos + 2, Math.floor(time / LIMIT_32));
          view.setUint32(pos + 6, time >>> 0);
          pos += 10;
        } else {
          const bytes = part as Uint8Array;
          pos = writeHeader(out, pos, bytes.length, 0, 0, 0xc4, 0xc5, 0xc6);
          if (headerOnlyLast && i === last) break;
          out.set(bytes, pos);
          pos += bytes.length;
        }
    }
  }
  if (pos !== out.length) throw new Error('msgpack: internal size mismatch');
}

/**
 * Encodes one value into a new buffer of exactly its size. Throws (writing
 * nothing) on values nested deeper than `maxDepth` (the value itself is at
 * depth 1, every item or key/value of a container one more), and on
 * functions, symbols, bigints and binaries or strings of 4 GiB or more.
 * With `largeBinary`, map entries are ordered as encodeSplit() orders them,
 * so both give the same bytes. `alloc` gives the output buffer.
 */
export function encode(value: unknown, maxDepth: number = DEFAULT_MAX_DEPTH, largeBinary = 0, alloc: (size: number) => Uint8Array = allocate): Uint8Array {
  const plan = new Planner(maxDepth, largeBinary);
  plan.add(value, 1);
  const out = alloc(plan.size);
  writeParts(plan.parts, out, false);
  return out;
}

/** An encoding as the bytes before its large binary (`head`) and that binary itself (`tail`, not copied). */
export interface SplitEncoding {
  head: Uint8Array;
  /** Absent when the value holds no single large binary that could be put last: then `head` is the whole encoding. */
  tail?: Uint8Array;
}

/**
 * Like encode(), but if the value holds exactly one binary of at least
 * `largeBinary` bytes and map entries can be reordered so that it ends the
 * encoding (it is not followed by items of an array), returns the encoding as
 * `head` + `tail` without copying that binary. The same value always gives
 * the same bytes: `head` + `tail`, or `head` alone.
 */
export function encodeSplit(value: unknown, largeBinary: number, maxDepth: number = DEFAULT_MAX_DEPTH): SplitEncoding {
  if (!(largeBinary > 0)) throw new RangeError('msgpack: largeBinary must be positive');
  const plan = new Planner(maxDepth, largeBinary);
  plan.add(value, 1);
  const { parts, size } = plan;
  if (plan.largeCount === 1 && plan.largeIndex === parts.length - 1) {
    const tail = parts[plan.largeIndex] as Uint8Array;
    const head = allocate(size - tail.length);
    writeParts(parts, head, true);
    return { head, tail };
  }
  const head = allocate(size);
  writeParts(parts, head, false);
  return { head };
}
