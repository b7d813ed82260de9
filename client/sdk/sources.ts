/**
 * Reading an item's plaintext one chunk at a time, in order, so an upload
 * holds at most a window of chunks in memory whatever the item's size:
 * Blob slices of several chunks read ahead, Uint8Array.subarray (no copy),
 * and re-chunking of async iterables to exact chunk boundaries.
 */
import { ShareError } from './errors.ts';
import type { FileData } from './types.ts';

export interface ChunkSource {
  readonly size: number;
  /**
   * True when any chunk can be read again, in any order (Blob, bytes): an
   * interrupted upload can then resume with exactly the chunks the server lacks.
   */
  readonly rereadable: boolean;
  /** Chunk `index`: chunkSize bytes, the last one the rest. Called with 0, 1, 2, ... in turn unless rereadable. */
  read(index: number): Promise<Uint8Array>;
  /** Rejects when the input holds more than `size` bytes (checked by read() for the last chunk). */
  expectEnd(): Promise<void>;
  /** Releases the input early (stops an async generator); safe to call twice. */
  close(): Promise<void>;
}

const invalid = (message: string) => new ShareError('INVALID_PAYLOAD', message);

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Length of chunk `index` of an item of `size` bytes. */
export function chunkLength(size: number, chunkSize: number, index: number): number {
  return Math.max(0, Math.min(chunkSize, size - index * chunkSize));
}

function isAsyncIterable(data: unknown): data is AsyncIterable<Uint8Array> {
  return data !== null && typeof data === 'object' && Symbol.asyncIterator in data;
}

/** The item's size: the data's own, or for an async iterable the declared one (required). */
export function dataSize(data: FileData, declaredSize: number | undefined): number {
  if (declaredSize !== undefined && !isSize(declaredSize)) throw invalid('options.size must be a non-negative integer');
  let actual: number;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) actual = data.byteLength;
  else if (typeof Blob !== 'undefined' && data instanceof Blob) actual = data.size;
  else if (isAsyncIterable(data)) {
    if (declaredSize === undefined) {
      throw invalid('options.size is required for an async iterable: the chunk count is bound into every chunk');
    }
    return declaredSize;
  } else throw invalid('data must be a Blob, a Uint8Array, an ArrayBuffer or an AsyncIterable<Uint8Array>');
  if (declaredSize !== undefined && declaredSize !== actual) {
    throw invalid(`options.size (${declaredSize}) differs from the data's size (${actual})`);
  }
  return actual;
}

export function openSource(data: FileData, declaredSize: number | undefined, chunkSize: number): ChunkSource {
  const size = dataSize(data, declaredSize);
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    return {
      size,
      rereadable: true,
      read: async (index) => bytes.subarray(index * chunkSize, index * chunkSize + chunkLength(size, chunkSize, index)),
      expectEnd: async () => {},
      close: async () => {},
    };
  }
  if (isAsyncIterable(data)) return new IterableSource(data, size, chunkSize);
  return new BlobSource(data, size, chunkSize);
}

/** A Blob is read this much at a time (a whole number of chunks). */
const SLAB_BYTES = 4 * 1024 * 1024;

/** A stream of the Blob that slabs are read from in turn: the offset its queued reads reach, and the last of them. */
interface SlabStream {
  reader: ReadableStreamBYOBReader;
  next: number;
  tail: Promise<unknown>;
}

/**
 * Reads a Blob in slabs of several chunks and cuts the chunks out as views
 * (no copy); the next slab is read while this one's chunks are encrypted and
 * sent. Slabs read in order come from one stream of the Blob, read into the
 * slab's own buffer (a BYOB reader): in Chromium, 256 MiB took 130-220 ms
 * that way against 420-470 ms as Blob.slice().arrayBuffer() per 4 MiB slab
 * (each a round trip to the browser's blob store, once a fifth of the sending
 * page's time at 256 KiB slices). A slab out of order (a resumed upload) starts
 * a stream where it begins; where Blob streams take no BYOB reader, slices are
 * read. Holds at most two slabs (plus the chunks still in flight).
 */
class BlobSource implements ChunkSource {
  readonly rereadable = true;
  readonly #slabBytes: number;
  readonly #slabs = new Map<number, Promise<Uint8Array>>();
  /** The stream the next slab in order comes from. */
  #stream: SlabStream | undefined;
  #byob = true;
  #closed = false;

  constructor(
    private readonly blob: Blob,
    readonly size: number,
    private readonly chunkSize: number,
  ) {
    this.#slabBytes = Math.max(1, Math.floor(SLAB_BYTES / chunkSize)) * chunkSize;
  }

  async read(index: number): Promise<Uint8Array> {
    const start = index * this.chunkSize;
    const slab = Math.floor(start / this.#slabBytes);
    for (const known of this.#slabs.keys()) if (known < slab || known > slab + 1) this.#slabs.delete(known);
    const bytes = this.#slab(slab);
    if ((slab + 1) * this.#slabBytes < this.size) void this.#slab(slab + 1).catch(() => {}); // read ahead
    const offset = start - slab * this.#slabBytes;
    return (await bytes).subarray(offset, offset + chunkLength(this.size, this.chunkSize, index));
  }

  async expectEnd(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    this.#slabs.clear();
    this.#leaveStream();
  }

  #slab(slab: number): Promise<Uint8Array> {
    let bytes = this.#slabs.get(slab);
    if (!bytes) {
      const start = slab * this.#slabBytes;
      bytes = this.#readRange(start, Math.min(this.size, start + this.#slabBytes));
      this.#slabs.set(slab, bytes);
      const read = bytes;
      read.catch(() => {
        if (this.#slabs.get(slab) === read) this.#slabs.delete(slab); // read again on the next try
      });
    }
    return bytes;
  }

  #readRange(start: number, end: number): Promise<Uint8Array> {
    const stream = this.#streamAt(start);
    if (!stream) return this.blob.slice(start, end).arrayBuffer().then((buffer) => new Uint8Array(buffer));
    stream.next = end;
    // After the reads queued before it; when one of those failed, this one fails the same way.
    const bytes = stream.tail.then(() => fill(stream.reader, end - start, () => this.#closed));
    stream.tail = bytes;
    bytes.catch(() => {
      if (this.#stream === stream) this.#leaveStream(); // the next read starts afresh
    });
    return bytes;
  }

  /** The stream that delivers the bytes from `start` next: the current one, or a new one from there. */
  #streamAt(start: number): SlabStream | undefined {
    if (this.#stream?.next === start) return this.#stream;
    this.#leaveStream();
    if (!this.#byob) return undefined;
    try {
      this.#stream = { reader: this.blob.slice(start).stream().getReader({ mode: 'byob' }), next: start, tail: Promise.resolve() };
    } catch {
      this.#byob = false; // not a byte stream here
    }
    return this.#stream;
  }

  /** Stops using the current stream: it is cancelled once the reads queued on it are done (at once when closing). */
  #leaveStream(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    if (!stream) return;
    const cancel = () => void stream.reader.cancel().catch(() => {});
    if (this.#closed) cancel();
    else stream.tail.then(cancel, cancel);
  }
}

/** The next `length` bytes of a stream, in one buffer of their own (each read fills the rest of it). */
async function fill(reader: ReadableStreamBYOBReader, length: number, closed: () => boolean): Promise<Uint8Array> {
  let buffer = new ArrayBuffer(length);
  let filled = 0;
  while (filled < length) {
    const { value, done } = await reader.read(new Uint8Array(buffer, filled, length - filled));
    if (done && closed()) throw new ShareError('CANCELLED', 'The file is no longer being read');
    if (done || !value) throw new ShareError('INVALID_PAYLOAD', 'The file is shorter than when it was chosen');
    buffer = value.buffer as ArrayBuffer; // the read moved it into a new ArrayBuffer object
    filled += value.byteLength;
  }
  return new Uint8Array(buffer);
}

/**
 * Re-chunks pieces of any size into fresh buffers. The producer is resumed
 * only once its previous piece is fully copied out, so a producer that reuses
 * its buffer cannot alter bytes we still hold.
 */
class IterableSource implements ChunkSource {
  readonly rereadable = false;
  readonly #iterator: AsyncIterator<Uint8Array>;
  #rest: Uint8Array = new Uint8Array(0);
  #closed = false;

  constructor(
    iterable: AsyncIterable<Uint8Array>,
    readonly size: number,
    private readonly chunkSize: number,
  ) {
    this.#iterator = iterable[Symbol.asyncIterator]();
  }

  async read(index: number): Promise<Uint8Array> {
    const length = chunkLength(this.size, this.chunkSize, index);
    const chunk = new Uint8Array(length);
    let filled = this.#take(chunk, 0);
    while (filled < length) {
      const piece = await this.#pull();
      if (piece === undefined) {
        throw invalid(`The data ended after ${index * this.chunkSize + filled} bytes, but options.size is ${this.size}`);
      }
      this.#rest = piece;
      filled = this.#take(chunk, filled);
    }
    if (index * this.chunkSize + length === this.size) await this.expectEnd();
    return chunk;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#iterator.return?.();
    } catch {
      // The producer's own cleanup failed; nothing left for us to release.
    }
  }

  /** Moves bytes from the leftover piece into `chunk` at `offset`; returns the new fill level. */
  #take(chunk: Uint8Array, offset: number): number {
    const count = Math.min(this.#rest.length, chunk.length - offset);
    chunk.set(this.#rest.subarray(0, count), offset);
    this.#rest = this.#rest.subarray(count);
    return offset + count;
  }

  async #pull(): Promise<Uint8Array | undefined> {
    for (;;) {
      const result = await this.#iterator.next();
      if (result.done) {
        this.#closed = true;
        return undefined;
      }
      if (!(result.value instanceof Uint8Array)) throw invalid('An async iterable must yield Uint8Array pieces');
      if (result.value.length > 0) return result.value;
    }
  }

  /** Before the last chunk goes out: anything after `size` bytes means the caller's size was wrong. */
  async expectEnd(): Promise<void> {
    if (this.#rest.length > 0 || (await this.#pull()) !== undefined) {
      throw invalid(`The data is longer than options.size (${this.size})`);
    }
  }
}
