/**
 * Appends that bypass the page cache (O_DIRECT) where the file system
 * allows it. A buffered write copies every byte into fresh page-cache pages,
 * and on a virtual machine whose free memory goes back to the host each fresh
 * page is also a fault on the host: that copy was a third of the server's CPU
 * while relaying a file between browsers. O_DIRECT hands the bytes to the
 * disk from our own memory, which must be aligned: the records are gathered
 * into a reused staging buffer that starts on a page boundary, and each write
 * covers whole blocks (chunk-log.ts rewrites the log's last partial block
 * with its bytes unchanged, and pads after the end with zeros).
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Offsets, lengths and memory of a direct write are multiples of this (the largest logical block size in use). */
export const DIRECT_ALIGN = 4096;
/** Staging buffers for the whole process: writes beyond this many at once wait (libuv runs 4 at a time anyway). */
const STAGING_BUFFERS = 4;
/** A staging buffer holds a batch of chunk-log.ts's MAX_BATCH_BYTES with a block before and after it (a larger write gets one of its own). */
const STAGING_BYTES = 4 * 1024 * 1024 + 2 * DIRECT_ALIGN;

export const alignDown = (n: number): number => n - (n % DIRECT_ALIGN);
export const alignUp = (n: number): number => alignDown(n + DIRECT_ALIGN - 1);

/** The flag to open a log with, or undefined where the platform has none. */
export const O_DIRECT: number | undefined = process.platform === 'linux' ? constants.O_DIRECT : undefined;

/**
 * Memory that starts on a page boundary: V8 maps a WebAssembly memory on its
 * own pages, where an ArrayBuffer comes from malloc at any 16-byte boundary.
 * Undefined if it cannot be had (address space limits).
 */
function alignedBuffer(bytes: number): Uint8Array | undefined {
  const pages = Math.ceil(bytes / 65536);
  try {
    return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, bytes);
  } catch {
    return undefined;
  }
}

/** A few aligned staging buffers shared by every log of the process, made on first use. */
class StagingPool {
  readonly #free: Uint8Array[] = [];
  readonly #waiting: ((buffer: Uint8Array) => void)[] = [];
  #made = 0;

  constructor(readonly bytes: number) {}

  /** A buffer of at least `bytes` (a one-off one when larger than the pool's), or undefined if none can be made. */
  async take(bytes: number): Promise<Uint8Array | undefined> {
    if (bytes > this.bytes) return alignedBuffer(alignUp(bytes));
    const free = this.#free.pop();
    if (free) return free;
    if (this.#made < STAGING_BUFFERS) {
      const made = alignedBuffer(this.bytes);
      if (made) this.#made += 1;
      return made;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(buffer: Uint8Array): void {
    if (buffer.byteLength !== this.bytes) return; // a one-off: the garbage collector frees it
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }
}

const staging = new StagingPool(STAGING_BYTES);

/** Thrown when a direct write cannot be made here (no aligned memory); the caller writes buffered instead. */
export class DirectIoRefused extends Error {}

/** One log's direct appends: it remembers the log's last partial block, which the next write covers again. */
export class DirectAppends {
  /** The log's bytes from the block boundary before `tailEnd` up to it. */
  #tail: Uint8Array | undefined;
  #tailEnd = -1;

  /** `readBack` reads the log's bytes between two offsets (the last partial block, once the log was reopened). */
  constructor(private readonly readBack: (from: number, to: number) => Promise<Uint8Array>) {}

  /**
   * Writes `parts` at `start` as whole blocks: the block holding `start` again with its
   * bytes as they are, then the parts, then zeros to the block's end (the log cuts them
   * off when its handle closes; its scan takes them for padding after a crash).
   */
  async write(handle: FileHandle, parts: Uint8Array[], start: number, end: number): Promise<void> {
    const base = alignDown(start);
    const length = alignUp(end) - base;
    const tail = this.#tailEnd === start && this.#tail ? this.#tail : await this.readBack(base, start);
    const buffer = await staging.take(length);
    if (!buffer) throw new DirectIoRefused();
    try {
      buffer.set(tail, 0);
      let at = start - base;
      for (const part of parts) {
        buffer.set(part, at);
        at += part.byteLength;
      }
      buffer.fill(0, at, length);
      const { bytesWritten } = await handle.write(buffer, 0, length, base);
      if (bytesWritten !== length) throw new Error('chunk log: short write');
      this.#tail = buffer.slice(alignDown(end) - base, end - base);
      this.#tailEnd = end;
    } finally {
      staging.give(buffer);
    }
  }
}
