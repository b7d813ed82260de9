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
 * Only buffers that take() made are accepted back, each once; sizes are
 * rounded up to 4 KiB classes and the pool holds at most 64 MiB.
 */
import { allocate } from './encode.ts';

interface NodeBufferClass {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

/** The first `size` bytes of `buffer`, as a Buffer on Node like allocate() gives. */
function view(buffer: ArrayBufferLike, size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.from(buffer, 0, size) : new Uint8Array(buffer, 0, size);
}

const SIZE_CLASS = 4096;
const MAX_PER_CLASS = 32;
const MAX_POOLED_BYTES = 64 * 1024 * 1024;

/** Free buffers by class size. */
const free = new Map<number, ArrayBufferLike[]>();
/** Every ArrayBuffer take() allocated, and those now in `free`. */
const made = new WeakSet<ArrayBufferLike>();
const pooled = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;

/** A buffer of exactly `size` bytes (a view at offset 0 of a pooled or new buffer of its class). */
export function take(size: number): Uint8Array {
  const classSize = Math.ceil(size / SIZE_CLASS) * SIZE_CLASS;
  const reused = free.get(classSize)?.pop();
  if (reused) {
    pooled.delete(reused);
    pooledBytes -= classSize;
    return view(reused, size);
  }
  const fresh = allocate(classSize);
  // A Buffer this large has an ArrayBuffer of its own (Node pools only small ones).
  if (fresh.byteOffset !== 0 || fresh.buffer.byteLength !== classSize) return fresh.subarray(0, size);
  made.add(fresh.buffer);
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
  if (list.length >= MAX_PER_CLASS || pooledBytes + classSize > MAX_POOLED_BYTES) return;
  list.push(buffer);
  free.set(classSize, list);
  pooled.add(buffer);
  pooledBytes += classSize;
}
