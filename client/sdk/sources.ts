/**
 * Reading an item's plaintext one chunk at a time, in order, so an upload
 * holds at most a window of chunks in memory whatever the item's size:
 * Blob slices of several chunks read ahead, Uint8Array.subarray (no copy),
 * and re-chunking of async iterables to exact chunk boundaries. The memory
 * of chunks the caller has released is read into again.
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
  /**
   * The caller is done with `chunk` (as read() gave it) and keeps no view of
   * its bytes: the source may read later chunks into that memory (fresh
   * memory costs a page fault per page, and a sender moves every page of the
   * file). Optional for the caller; a chunk never released is simply not
   * reused.
   */
  release(chunk: Uint8Array): void;
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
      release: () => {}, // the caller's own bytes
      expectEnd: async () => {},
      close: async () => {},
    };
  }
  if (isAsyncIterable(data)) return new IterableSource(data, size, chunkSize);
  return new BlobSource(data, size, chunkSize);
}

/** A Blob is read this much at a time (a whole number of chunks). */
const SLAB_BYTES = 4 * 1024 * 1024;

/** Buffers kept for reuse, per source: the slab being cut, the one read ahead, and one to read into next. */
const SPARE_BUFFERS = 3;

/** Spare buffers of one size to read into again; beyond SPARE_BUFFERS they are left to the GC. */
class BufferPool {
  readonly #spare: ArrayBuffer[] = [];

  constructor(readonly bytes: number) {}

  /** A buffer of `bytes` to fill: a spare one, else a new one. */
  take(bytes: number): ArrayBuffer {
    return (bytes === this.bytes && this.#spare.pop()) || new ArrayBuffer(bytes);
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.bytes && this.#spare.length < SPARE_BUFFERS) this.#spare.push(buffer);
  }

  clear(): void {
    this.#spare.length = 0;
  }
}

/**
 * A buffer chunks are cut from: how many are still out, and whether its slab
 * is passed (retired); it goes back to the pool when both allow. A lease
 * that never settles (a chunk read again before its release, an upload that
 * failed) keeps its buffer from the pool for good: the GC frees it.
 */
interface Lease {
  buffer: ArrayBuffer | undefined;
  out: number;
  retired: boolean;
}

function settle(pool: BufferPool, lease: Lease): void {
  if (!lease.retired || lease.out > 0 || !lease.buffer) return;
  pool.give(lease.buffer);
  lease.buffer = undefined; // given once
}

/** A slab being read or cut: its bytes, and the lease on the buffer they are in. */
interface Slab {
  bytes: Promise<Uint8Array>;
  lease: Lease;
}

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
 * read. A slab's buffer is read into again once it is passed and all its
 * chunks are released: a fresh 4 MiB buffer faults in every page as it is
 * filled, and the sending page's CPU for 256 MiB fell from 1.10-1.19 s to
 * 0.90-0.99 s with reuse. Holds at most two slabs and three spare buffers
 * (plus the chunks still in flight).
 */
class BlobSource implements ChunkSource {
  readonly rereadable = true;
  readonly #slabBytes: number;
  readonly #slabs = new Map<number, Slab>();
  /** Chunks read and not yet released, with the slab their bytes are in. */
  readonly #lent = new Map<Uint8Array, Slab>();
  readonly #pool: BufferPool;
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
    this.#pool = new BufferPool(this.#slabBytes);
  }

  async read(index: number): Promise<Uint8Array> {
    const start = index * this.chunkSize;
    const number = Math.floor(start / this.#slabBytes);
    for (const known of this.#slabs.keys()) if (known < number || known > number + 1) this.#retire(known);
    const slab = this.#slab(number);
    if ((number + 1) * this.#slabBytes < this.size) void this.#slab(number + 1).bytes.catch(() => {}); // read ahead
    const offset = start - number * this.#slabBytes;
    // Counted before the read settles, so the buffer cannot go back to the pool meanwhile.
    slab.lease.out++;
    let chunk: Uint8Array;
    try {
      chunk = (await slab.bytes).subarray(offset, offset + chunkLength(this.size, this.chunkSize, index));
    } catch (error) {
      slab.lease.out--;
      settle(this.#pool, slab.lease);
      throw error;
    }
    this.#lent.set(chunk, slab);
    return chunk;
  }

  release(chunk: Uint8Array): void {
    const slab = this.#lent.get(chunk);
    if (!slab) return;
    this.#lent.delete(chunk);
    slab.lease.out--;
    settle(this.#pool, slab.lease);
  }

  async expectEnd(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    for (const known of [...this.#slabs.keys()]) this.#retire(known);
    this.#pool.clear();
    this.#leaveStream();
  }

  #slab(number: number): Slab {
    let slab = this.#slabs.get(number);
    if (!slab) {
      const start = number * this.#slabBytes;
      const lease: Lease = { buffer: undefined, out: 0, retired: false };
      const bytes = this.#readRange(start, Math.min(this.size, start + this.#slabBytes)).then((read) => {
        if (this.#byob) lease.buffer = read.buffer as ArrayBuffer; // slices come in buffers of their own
        settle(this.#pool, lease); // retired while it was read
        return read;
      });
      const created: Slab = { bytes, lease };
      this.#slabs.set(number, created);
      bytes.catch(() => {
        if (this.#slabs.get(number) === created) this.#slabs.delete(number); // read again on the next try
      });
      slab = created;
    }
    return slab;
  }

  /** The slab is no longer cut from: its buffer goes back to the pool once its last chunk is released. */
  #retire(number: number): void {
    const slab = this.#slabs.get(number);
    if (!slab) return;
    this.#slabs.delete(number);
    slab.lease.retired = true;
    settle(this.#pool, slab.lease);
  }

  #readRange(start: number, end: number): Promise<Uint8Array> {
    const stream = this.#streamAt(start);
    if (!stream) return this.blob.slice(start, end).arrayBuffer().then((buffer) => new Uint8Array(buffer));
    stream.next = end;
    // After the reads queued before it; when one of those failed, this one fails the same way.
    const bytes = stream.tail.then(() => fill(stream.reader, this.#pool.take(end - start), () => this.#closed));
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

/** The next `buffer.byteLength` bytes of a stream, read into `buffer` (each read fills the rest of it). */
async function fill(reader: ReadableStreamBYOBReader, buffer: ArrayBuffer, closed: () => boolean): Promise<Uint8Array> {
  const length = buffer.byteLength;
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
 * Re-chunks pieces of any size into buffers of our own (reused once
 * released, never while held). The producer is resumed
 * only once its previous piece is fully copied out, so a producer that reuses
 * its buffer cannot alter bytes we still hold.
 */
class IterableSource implements ChunkSource {
  readonly rereadable = false;
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #pool: BufferPool;
  /** Chunks read and not yet released, each in a buffer of its own. */
  readonly #lent = new Set<Uint8Array>();
  #rest: Uint8Array = new Uint8Array(0);
  #closed = false;

  constructor(
    iterable: AsyncIterable<Uint8Array>,
    readonly size: number,
    private readonly chunkSize: number,
  ) {
    this.#iterator = iterable[Symbol.asyncIterator]();
    this.#pool = new BufferPool(chunkSize);
  }

  async read(index: number): Promise<Uint8Array> {
    const length = chunkLength(this.size, this.chunkSize, index);
    const chunk = new Uint8Array(this.#pool.take(length));
    this.#lent.add(chunk);
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

  release(chunk: Uint8Array): void {
    if (!this.#lent.delete(chunk)) return;
    this.#pool.give(chunk.buffer as ArrayBuffer);
  }

  async close(): Promise<void> {
    this.#pool.clear();
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
