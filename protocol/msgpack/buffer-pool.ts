/**
 * Output buffers for large encodings, used again once their writer is done.
 *
 * A fresh buffer of a few hundred KiB costs more than the bytes copied into
 * it: the kernel maps and zeroes its pages on first touch, and the garbage
 * collector has to find it again. A sender of file chunks encodes buffers of
 * one size over and over, so the one writer that knows when a buffer is no
 * longer needed (client/sdk/node-websocket.ts, after the socket took it)
 * gives it back, and the next encoding of that size class takes it.
 *
 * Only buffers that take() made are accepted back, each once. Sizes are
 * rounded up to 4 KiB classes; the pool holds at most 32 buffers of a class
 * and 32 MiB in all, dropping the classes used least recently first (a
 * file's last chunk leaves a class of its own behind).
 */
import { allocate } from './encode.ts';

interface NodeBufferClass {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

const SIZE_CLASS = 4096;
const MAX_PER_CLASS = 32;
const MAX_POOLED_BYTES = 32 * 1024 * 1024;

/** Free buffers by class size, the class used least recently first (Map order). */
const free = new Map<number, ArrayBufferLike[]>();
/** Every ArrayBuffer take() allocated, and those now in `free`. */
const made = new WeakSet<ArrayBufferLike>();
const pooled = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;

/** The first `size` bytes of `buffer`, as a Buffer on Node like allocate() gives. */
function view(buffer: ArrayBufferLike, size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.from(buffer, 0, size) : new Uint8Array(buffer, 0, size);
}

/** Marks a class as the one used most recently. */
function touch(classSize: number, list: ArrayBufferLike[]): void {
  free.delete(classSize);
  free.set(classSize, list);
}

/** A buffer of exactly `size` bytes (a view at offset 0 of a pooled or new buffer of its class). */
export function take(size: number): Uint8Array {
  const classSize = Math.ceil(size / SIZE_CLASS) * SIZE_CLASS;
  const list = free.get(classSize);
  const reused = list?.pop();
  if (list) touch(classSize, list);
  if (reused) {
    pooled.delete(reused);
    pooledBytes -= classSize;
    return view(reused, size);
  }
  const fresh = allocate(classSize);
  // A Buffer this large has an ArrayBuffer of its own (Node pools only small ones).
  if (fresh.byteOffset === 0 && fresh.buffer.byteLength === classSize) made.add(fresh.buffer);
  return fresh.subarray(0, size);
}

/**
 * Hands back a buffer from take() that no one will read or write any more.
 * Anything else (or a buffer already given back) is ignored.
 */
export function giveBack(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (!made.has(buffer) || pooled.has(buffer)) return;
  const classSize = buffer.byteLength;
  const list = free.get(classSize) ?? [];
  touch(classSize, list);
  if (list.length >= MAX_PER_CLASS || classSize > MAX_POOLED_BYTES) return;
  // Make room by dropping the classes used least recently (never this one, now the newest).
  for (const [size, stale] of free) {
    if (pooledBytes + classSize <= MAX_POOLED_BYTES || size === classSize) break;
    for (const dropped of stale) pooled.delete(dropped);
    pooledBytes -= size * stale.length;
    free.delete(size);
  }
  if (pooledBytes + classSize > MAX_POOLED_BYTES) return;
  list.push(buffer);
  pooled.add(buffer);
  pooledBytes += classSize;
}

/** Bytes held in the pool now (for tests). */
export function pooledByteCount(): number {
  return pooledBytes;
}
