/**
 * A small, strict msgpack decoder for untrusted input, compatible with what
 * notepack.io (socket.io-msgpack-parser) and @msgpack/msgpack write.
 *
 * - nil, bool, every int format, float32/64. uint64/int64 become Numbers and
 *   lose precision beyond 2^53 exactly as notepack does (hi * 2^32 + lo,
 *   rounded once): values are validated by the application anyway, and
 *   refusing them would close the whole connection over one field.
 * - str: UTF-8; invalid sequences become U+FFFD (WHATWG replacement, like
 *   notepack's Buffer#toString), a leading BOM is kept.
 * - bin: zero-copy views of the input (`subarray`, so a Buffer when the input
 *   is a Buffer).
 * - map: a fresh plain object (prototype Object.prototype). Every key becomes
 *   an own enumerable data property, as Object.defineProperty would make it:
 *   `__proto__`, `constructor`... never reach a setter or change a prototype.
 *   Later duplicates win. Number keys become their String(); any other key
 *   type is refused.
 * - ext: only type 0, with notepack's three meanings told apart by the header:
 *   fixext 1 = undefined, fixext 8 = Date (int32 high + uint32 low ms),
 *   ext 8/16/32 = an ArrayBuffer, returned as a zero-copy view. Every other
 *   extension (including the msgpack timestamp, type -1) is refused.
 *
 * Every read is bounds-checked; a declared length (str/bin/ext bytes,
 * array items, map entries) larger than what the rest of the input could
 * hold is refused before anything is allocated; maps and arrays may nest
 * `maxDepth` levels (the outermost container is level 1), so recursion is
 * bounded; trailing bytes are refused. Nothing is cached between calls.
 *
 * `maxValues` caps the values of one message (every value, map key and
 * container counts one) and `maxStringBytes` the bytes of all its strings
 * (keys included): a few bytes each, a 4 MB message could otherwise decode
 * into millions of values and hold the event loop for half a second. `bin`
 * needs no cap of its own: it is a view, and counts as one value.
 */

export const DEFAULT_MAX_DEPTH = 64;

export interface DecodeLimits {
  /** Maps and arrays may nest this many levels (default 64). */
  maxDepth?: number;
  /** Values in the whole message, map keys included (default: unlimited). */
  maxValues?: number;
  /** UTF-8 bytes of all strings of the message, map keys included (default: unlimited). */
  maxStringBytes?: number;
}

/** What decoding one message cost, for budgets kept across messages. */
export interface Decoded {
  value: unknown;
  values: number;
  stringBytes: number;
}

export class MsgpackDecodeError extends Error {
  override name = 'MsgpackDecodeError';
}

/** Strings shorter than this (in bytes) are decoded by hand; longer ones by TextDecoder. */
const SHORT_STRING = 32;
/** Arrays up to this length are preallocated; longer ones grow (so a header alone cannot size a big array). */
const PREALLOCATE_MAX = 4096;

// Stateless (no `stream` option): safe to share.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
// Taken at load time, so that later tampering with globals cannot change how maps are built.
const hasOwn = Object.hasOwn;
const defineProperty = Object.defineProperty;
/** The prototype of every `{}` we create (and whose own prototype is null, and cannot change). */
const objectPrototype: object = Object.getPrototypeOf({});

class Reader {
  readonly bytes: Uint8Array;
  readonly end: number;
  readonly maxDepth: number;
  readonly maxValues: number;
  readonly maxStringBytes: number;
  pos = 0;
  values = 0;
  stringBytes = 0;
  /** Made on first use: small messages usually need none, and creating one costs more than a few reads. */
  private dataView: DataView | null = null;

  constructor(bytes: Uint8Array, limits: DecodeLimits) {
    this.bytes = bytes;
    this.end = bytes.length;
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxValues = limits.maxValues ?? Infinity;
    this.maxStringBytes = limits.maxStringBytes ?? Infinity;
  }

  /** Counts one more value (or map key); throws past maxValues. */
  count(): void {
    if (++this.values > this.maxValues) throw new MsgpackDecodeError(`msgpack: more than ${this.maxValues} values in one message`);
  }

  get view(): DataView {
    return (this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  /** Throws unless `n` more bytes are available (for fixed-size fields). */
  need(n: number): void {
    if (this.end - this.pos < n) throw new MsgpackDecodeError('msgpack: truncated input');
  }

  /** Throws unless a declared length needing `n` bytes (each at least `per` bytes) fits in what is left. */
  fits(n: number, per: number): void {
    if (n * per > this.end - this.pos) {
      throw new MsgpackDecodeError(`msgpack: declared length ${n} exceeds the ${this.end - this.pos} remaining bytes`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  value(depth: number): unknown {
    this.count();
    this.need(1);
    const b = this.bytes[this.pos++]!;
    if (b < 0x80) return b; // positive fixint
    if (b < 0x90) return this.map(b & 0x0f, depth);
    if (b < 0xa0) return this.array(b & 0x0f, depth);
    if (b < 0xc0) return this.str(b & 0x1f);
    if (b >= 0xe0) return b - 0x100; // negative fixint
    let v: number;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        this.need(4);
        v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      case 0xcb:
        this.need(8);
        v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        this.need(8);
        v = this.view.getUint32(this.pos) * 0x100000000 + this.view.getUint32(this.pos + 4);
        this.pos += 8;
        return v;
      case 0xd0:
        this.need(1);
        v = this.bytes[this.pos++]!;
        return v < 0x80 ? v : v - 0x100;
      case 0xd1:
        this.need(2);
        v = this.view.getInt16(this.pos);
        this.pos += 2;
        return v;
      case 0xd2:
        this.need(4);
        v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      case 0xd3:
        this.need(8);
        v = this.view.getInt32(this.pos) * 0x100000000 + this.view.getUint32(this.pos + 4);
        this.pos += 8;
        return v;
      case 0xd4:
        return this.fixext(1);
      case 0xd5:
        return this.fixext(2);
      case 0xd6:
        return this.fixext(4);
      case 0xd7:
        return this.fixext(8);
      case 0xd8:
        return this.fixext(16);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default: // 0xc1 is never used
        throw new MsgpackDecodeError(`msgpack: invalid byte 0x${b.toString(16)}`);
    }
  }

  array(length: number, depth: number): unknown[] {
    if (++depth > this.maxDepth) throw new MsgpackDecodeError('msgpack: nested too deeply');
    this.fits(length, 1);
    if (length <= PREALLOCATE_MAX) {
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = this.value(depth);
      return out;
    }
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) out.push(this.value(depth));
    return out;
  }

  map(length: number, depth: number): Record<string, unknown> {
    if (++depth > this.maxDepth) throw new MsgpackDecodeError('msgpack: nested too deeply');
    this.fits(length, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < length; i++) {
      const key = this.key();
      const value = this.value(depth);
      // An own property of Object.prototype (the `__proto__` accessor, read-only ones if it is
      // frozen, a planted setter) would catch a plain store: define those keys. For any other key
      // a store creates (or, for a duplicate, overwrites the value of) an own writable,
      // enumerable, configurable data property: exactly what defineProperty does, only faster.
      if (hasOwn(objectPrototype, key)) {
        defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  key(): string {
    this.count();
    this.need(1);
    const b = this.bytes[this.pos]!;
    if (b >= 0xa0 && b < 0xc0) {
      this.pos++;
      return this.str(b & 0x1f);
    }
    switch (b) {
      case 0xd9:
        this.pos++;
        return this.str(this.u8());
      case 0xda:
        this.pos++;
        return this.str(this.u16());
      case 0xdb:
        this.pos++;
        return this.str(this.u32());
    }
    // Numbers (notepack turns any key into a property name; we accept numbers only).
    if (b < 0x80 || b >= 0xe0 || (b >= 0xca && b <= 0xd3)) {
      this.values -= 1; // value() counts this key again
      return String(this.value(0));
    }
    throw new MsgpackDecodeError(`msgpack: unsupported map key (byte 0x${b.toString(16)})`);
  }

  str(length: number): string {
    this.fits(length, 1);
    this.stringBytes += length;
    if (this.stringBytes > this.maxStringBytes) {
      throw new MsgpackDecodeError(`msgpack: more than ${this.maxStringBytes} bytes of strings in one message`);
    }
    const start = this.pos;
    this.pos += length;
    if (length < SHORT_STRING) {
      const s = shortAscii(this.bytes, start, this.pos) ?? shortUtf8(this.bytes, start, this.pos);
      if (s !== null) return s;
    }
    return utf8.decode(this.bytes.subarray(start, this.pos));
  }

  bin(length: number): Uint8Array {
    this.fits(length, 1);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  /** ext 8/16/32: type 0 is notepack's ArrayBuffer. */
  ext(length: number): Uint8Array {
    this.need(1);
    const type = this.bytes[this.pos++]!;
    if (type !== 0) throw new MsgpackDecodeError(`msgpack: unsupported extension type ${type < 0x80 ? type : type - 0x100}`);
    return this.bin(length);
  }

  /** fixext: type 0 size 1 is notepack's undefined, size 8 its Date. */
  fixext(size: number): undefined | Date {
    this.need(1 + size);
    const type = this.bytes[this.pos]!;
    if (type !== 0) throw new MsgpackDecodeError(`msgpack: unsupported extension type ${type < 0x80 ? type : type - 0x100}`);
    const at = this.pos + 1;
    this.pos = at + size;
    if (size === 1) return undefined;
    if (size === 8) return new Date(this.view.getInt32(at) * 0x100000000 + this.view.getUint32(at + 4));
    throw new MsgpackDecodeError(`msgpack: unsupported fixext ${size} of type 0`);
  }
}

/**
 * The common case, by hand: ASCII, 8 characters per fromCharCode call (faster
 * than one call per character, or than filling an array for `apply`).
 * Returns null at the first non-ASCII byte.
 */
function shortAscii(bytes: Uint8Array, pos: number, end: number): string | null {
  let out = '';
  while (end - pos >= 8) {
    const c0 = bytes[pos]!, c1 = bytes[pos + 1]!, c2 = bytes[pos + 2]!, c3 = bytes[pos + 3]!;
    const c4 = bytes[pos + 4]!, c5 = bytes[pos + 5]!, c6 = bytes[pos + 6]!, c7 = bytes[pos + 7]!;
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) & 0x80) return null;
    out += String.fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7);
    pos += 8;
  }
  while (pos < end) {
    const c = bytes[pos++]!;
    if (c & 0x80) return null;
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * Any other short string: decodes well-formed UTF-8 by hand (still faster
 * than TextDecoder at this size); returns null at the first irregularity
 * (truncated, overlong, surrogate, out of range) so that TextDecoder replaces it.
 */
function shortUtf8(bytes: Uint8Array, pos: number, end: number): string | null {
  const units = new Array<number>(end - pos); // never more units than bytes
  let n = 0;
  while (pos < end) {
    const b = bytes[pos++]!;
    if (b < 0x80) {
      units[n++] = b;
    } else if (b >= 0xc2 && b < 0xe0) {
      if (pos >= end) return null;
      const c = bytes[pos++]!;
      if ((c & 0xc0) !== 0x80) return null;
      units[n++] = ((b & 0x1f) << 6) | (c & 0x3f);
    } else if (b >= 0xe0 && b < 0xf0) {
      if (end - pos < 2) return null;
      const c = bytes[pos++]!;
      const d = bytes[pos++]!;
      if ((c & 0xc0) !== 0x80 || (d & 0xc0) !== 0x80) return null;
      const cp = ((b & 0x0f) << 12) | ((c & 0x3f) << 6) | (d & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return null; // overlong or surrogate
      units[n++] = cp;
    } else if (b >= 0xf0 && b < 0xf5) {
      if (end - pos < 3) return null;
      const c = bytes[pos++]!;
      const d = bytes[pos++]!;
      const e = bytes[pos++]!;
      if ((c & 0xc0) !== 0x80 || (d & 0xc0) !== 0x80 || (e & 0xc0) !== 0x80) return null;
      const cp = ((b & 0x07) << 18) | ((c & 0x3f) << 12) | ((d & 0x3f) << 6) | (e & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null; // overlong or out of range
      units[n++] = 0xd800 + ((cp - 0x10000) >> 10);
      units[n++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    } else {
      return null; // continuation byte, 0xc0/0xc1, 0xf5-0xff
    }
  }
  if (n < units.length) units.length = n; // multi-byte sequences: fewer units than bytes
  return String.fromCharCode.apply(null, units);
}

/**
 * Decodes exactly one msgpack value filling all of `bytes`, and says how many
 * values and string bytes it held; throws a MsgpackDecodeError on anything
 * malformed, truncated, too deep, too many or unsupported.
 */
export function decodeCounted(bytes: Uint8Array, limits: DecodeLimits = {}): Decoded {
  const reader = new Reader(bytes, limits);
  const value = reader.value(0);
  if (reader.pos !== reader.end) {
    throw new MsgpackDecodeError(`msgpack: ${reader.end - reader.pos} trailing bytes`);
  }
  return { value, values: reader.values, stringBytes: reader.stringBytes };
}

/** decodeCounted() without the counts; `maxDepth` alone, or every limit. */
export function decode(bytes: Uint8Array, limits: number | DecodeLimits = DEFAULT_MAX_DEPTH): unknown {
  return decodeCounted(bytes, typeof limits === 'number' ? { maxDepth: limits } : limits).value;
}
