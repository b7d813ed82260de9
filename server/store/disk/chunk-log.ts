/**
 * An item's chunks: one append-only file per item (`chunks.log`), one record
 * per chunk, written with a single positioned `writev`:
 *
 *   offset  size  field (little-endian)
 *        0     4  magic "STLG"
 *        4     1  version (1)
 *        5     1  flags: bit 0 = the data CRC below is set
 *        6     1  iv length
 *        7     1  0
 *        8     4  chunk index
 *       12     4  data length
 *       16     4  CRC-32 of iv + data (0 unless flag bit 0)
 *       20     4  CRC-32 of bytes 0-19
 *       24        iv, then data
 *
 * A record counts only once the write that holds it has completed (and been
 * fsynced with STORE_FSYNC), so an acknowledged chunk is always a complete
 * record. Appends to one log are serialized (records never interleave) and
 * queued ones are written together in one `writev` (one fsync per batch).
 * Where the file system allows, and without STORE_FSYNC, a batch bypasses
 * the page cache instead (O_DIRECT, direct-io.ts): whole blocks from an
 * aligned staging buffer, the log's last block rewritten as it was and padded
 * with zeros, which are cut off when the append handle closes.
 *
 * Recovery: a killed process leaves at most a prefix of its last write, so the
 * scan at start-up keeps the records up to the first one that is incomplete or
 * whose header does not check, and truncates the file there. With STORE_FSYNC
 * every record also carries a CRC of its data, so a torn last batch after a
 * power loss is found too: the scan verifies the records of the last batch,
 * and every read verifies the record it serves.
 */
import { constants, type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import * as zlib from 'node:zlib';
import type { StoredChunk } from '../content-store.ts';
import { alignUp, DIRECT_ALIGN, DirectAppends, DirectIoRefused, O_DIRECT } from './direct-io.ts';

export const LOG_FILE = 'chunks.log';
export const RECORD_HEADER_BYTES = 24;
const MAGIC = 0x474c5453; // "STLG" read as little-endian u32
const VERSION = 1;
const FLAG_DATA_CRC = 1;
/** A batch grows up to this many bytes (a single larger record goes alone). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_BATCH_RECORDS = 64;
/** Bound on one record's data length when scanning (chunks are at most 1 MiB + tag). */
const MAX_DATA_BYTES = 64 * 1024 * 1024;
const SCAN_WINDOW = 64 * 1024;

/** Where a record sits in its log. `size` counts header, iv and data. */
export interface LogEntry {
  index: number;
  offset: number;
  size: number;
}

/** Raised for appends to a log that was removed (its item is gone). */
export class LogRemovedError extends Error {
  constructor() {
    super('chunk log removed');
  }
}

// ---- record format ---------------------------------------------------------

const crc32: (data: Uint8Array, value?: number) => number =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Fallback;

let crcTable: Uint32Array | undefined;
function crc32Fallback(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** Header and iv of one record, in one buffer (the data is written from its own buffer). */
export function encodeHead(index: number, iv: Uint8Array, data: Uint8Array, withCrc: boolean): Buffer {
  const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES + iv.byteLength);
  head.writeUInt32LE(MAGIC, 0);
  head[4] = VERSION;
  head[5] = withCrc ? FLAG_DATA_CRC : 0;
  head[6] = iv.byteLength;
  head[7] = 0;
  head.writeUInt32LE(index, 8);
  head.writeUInt32LE(data.byteLength, 12);
  head.writeUInt32LE(withCrc ? crc32(data, crc32(iv)) >>> 0 : 0, 16);
  head.writeUInt32LE(crc32(head.subarray(0, 20)) >>> 0, 20);
  head.set(iv, RECORD_HEADER_BYTES);
  return head;
}

interface Header {
  index: number;
  ivLength: number;
  dataLength: number;
  hasCrc: boolean;
  crc: number;
}

/** The header at `at`, or undefined if it is not a whole, valid header. */
export function decodeHeader(buf: Uint8Array, at: number): Header | undefined {
  if (at + RECORD_HEADER_BYTES > buf.byteLength) return undefined;
  const view = Buffer.from(buf.buffer, buf.byteOffset + at, RECORD_HEADER_BYTES);
  if (view.readUInt32LE(0) !== MAGIC || view[4] !== VERSION || view[7] !== 0) return undefined;
  const flags = view[5]!;
  if ((flags & ~FLAG_DATA_CRC) !== 0) return undefined;
  if (view.readUInt32LE(20) !== crc32(view.subarray(0, 20)) >>> 0) return undefined;
  const dataLength = view.readUInt32LE(12);
  if (dataLength > MAX_DATA_BYTES) return undefined;
  return { index: view.readUInt32LE(8), ivLength: view[6]!, dataLength, hasCrc: (flags & FLAG_DATA_CRC) !== 0, crc: view.readUInt32LE(16) };
}

/** A whole record read back: the chunk if it is the expected one and intact. */
function decodeRecord(record: Buffer, index: number): StoredChunk | undefined {
  const header = decodeHeader(record, 0);
  if (!header || header.index !== index) return undefined;
  if (RECORD_HEADER_BYTES + header.ivLength + header.dataLength !== record.byteLength) return undefined;
  const body = record.subarray(RECORD_HEADER_BYTES);
  if (header.hasCrc && crc32(body) >>> 0 !== header.crc) return undefined;
  return { iv: body.subarray(0, header.ivLength), encryptedData: body.subarray(header.ivLength) };
}

// ---- file handles ------------------------------------------------------------

let openHandles = 0;
/** File handles the chunk logs hold open right now (for tests and metrics). */
export function openLogHandles(): number {
  return openHandles;
}

async function openCounted(file: string, flags: string | number): Promise<FileHandle> {
  const handle = await open(file, flags, 0o600);
  openHandles += 1;
  return handle;
}

async function closeCounted(handle: FileHandle): Promise<void> {
  openHandles -= 1;
  await handle.close();
}

async function readFully(handle: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number, total: number): Promise<void> {
  let written = (await handle.writev(buffers, position)).bytesWritten;
  while (written < total) {
    // A short write (rare on regular files): write what is left.
    const rest: Uint8Array[] = [];
    let skip = written;
    for (const buf of buffers) {
      if (skip >= buf.byteLength) skip -= buf.byteLength;
      else {
        rest.push(skip > 0 ? buf.subarray(skip) : buf);
        skip = 0;
      }
    }
    const more = (await handle.writev(rest, position + written)).bytesWritten;
    if (more <= 0) throw new Error('chunk log: short write');
    written += more;
  }
}

/**
 * Bounds how many logs keep a handle open: past `max`, the least recently
 * used idle log closes its handle (it reopens on its next append).
 */
export class LogPool {
  private readonly logs = new Set<ChunkLog>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.logs.size;
  }

  used(log: ChunkLog): void {
    this.logs.delete(log);
    this.logs.add(log);
    if (this.logs.size <= this.max) return;
    for (const candidate of this.logs) {
      if (this.logs.size <= this.max) break;
      if (candidate !== log && candidate.idle) void candidate.release().catch(() => undefined);
    }
  }

  forget(log: ChunkLog): void {
    this.logs.delete(log);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.logs].map((log) => log.release().catch(() => undefined)));
  }
}

// ---- the log -----------------------------------------------------------------

interface PendingAppend {
  index: number;
  iv: Uint8Array;
  data: Uint8Array;
  resolve: (entry: LogEntry) => void;
  reject: (error: unknown) => void;
}

export interface LogOptions {
  fsync: boolean;
  /** Append with O_DIRECT where the file system allows it (direct-io.ts); shared by a store's logs, turned off at the first refusal. */
  directIo: boolean;
  pool: LogPool;
  /** A handle opened for reads (no upload in progress) is closed after this long without one. */
  readIdleMs: number;
}

/** How a file system says it takes no O_DIRECT (at open or at the first write). */
const DIRECT_REFUSALS = new Set(['EINVAL', 'EOPNOTSUPP', 'ENOTSUP']);

export class ChunkLog {
  /** Opened for appends (and used for reads too, unless opened O_DIRECT) while an upload is in progress. */
  private handle: FileHandle | undefined;
  /** Whether `handle` was opened with O_DIRECT. */
  private direct = false;
  private readonly directAppends = new DirectAppends((from, to) => this.readBack(from, to));
  /** Opened read-only for reads when there is no append handle; closed once reads stop for readIdleMs. */
  private reader: FileHandle | undefined;
  private readerOpening: Promise<FileHandle> | undefined;
  private readerTimer: NodeJS.Timeout | undefined;
  /** The append handle being closed (its padding cut first): a reopen waits for it, or the cut would land after new records. */
  private closing: Promise<void> | undefined;
  private reads = 0;
  private queue: PendingAppend[] = [];
  private pumping: Promise<void> | undefined;
  private removed = false;
  private dirSynced = false;

  /** `end`: length of the valid records (where the next one goes). */
  constructor(
    readonly file: string,
    private end: number,
    private readonly options: LogOptions,
  ) {}

  /** No write queued or under way, no read under way. */
  get idle(): boolean {
    return this.pumping === undefined && this.queue.length === 0 && this.reads === 0;
  }

  /** Appends one record; resolves with its place once it is completely written (and fsynced). */
  append(index: number, iv: Uint8Array, data: Uint8Array): Promise<LogEntry> {
    if (this.removed) return Promise.reject(new LogRemovedError());
    if (iv.byteLength > 255) return Promise.reject(new RangeError('iv longer than 255 bytes'));
    return new Promise<LogEntry>((resolve, reject) => {
      this.queue.push({ index, iv, data, resolve, reject });
      this.kick();
    });
  }

  /**
   * Reads one record back: the chunk, or 'corrupt' if the bytes there are not
   * that chunk's intact record. Uses the append handle if the upload is in
   * progress, else a read-only handle kept while reads follow each other (a
   * read through an open handle costs about half as much as open + read +
   * close for 64 KiB records).
   */
  async read(entry: LogEntry): Promise<StoredChunk | 'corrupt'> {
    this.reads += 1;
    clearTimeout(this.readerTimer);
    try {
      const handle = (this.direct ? undefined : this.handle) ?? this.reader ?? (await this.openReader());
      const record = Buffer.allocUnsafe(entry.size);
      const got = await readFully(handle, record, entry.size, entry.offset);
      if (got !== entry.size) return 'corrupt';
      return decodeRecord(record, entry.index) ?? 'corrupt';
    } finally {
      this.readDone();
    }
  }

  /** A read ended: the read-only handle closes once no other follows within readIdleMs. */
  private readDone(): void {
    this.reads -= 1;
    if (this.reads === 0 && this.reader) {
      this.readerTimer = setTimeout(() => {
        if (this.reads === 0) void this.closeReader().catch(() => undefined);
      }, this.options.readIdleMs);
      this.readerTimer.unref();
    }
  }

  /** Closes the handles once the writes under way are done; a later append or read reopens them. */
  async release(): Promise<void> {
    while (this.pumping) await this.pumping;
    await this.closeHandle();
    if (this.readerOpening) await this.readerOpening.catch(() => undefined);
    await this.closeReader();
  }

  /** Closes for good: queued appends fail, the write under way finishes first. */
  async remove(): Promise<void> {
    this.removed = true;
    this.failQueued(new LogRemovedError());
    await this.release();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump().catch(() => undefined).finally(() => {
      this.pumping = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.removed) {
        this.failQueued(new LogRemovedError());
        return;
      }
      await this.writeBatch(this.takeBatch());
    }
  }

  private takeBatch(): PendingAppend[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < MAX_BATCH_RECORDS) {
      const next = this.queue[count]!;
      const size = RECORD_HEADER_BYTES + next.iv.byteLength + next.data.byteLength;
      if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async writeBatch(batch: PendingAppend[]): Promise<void> {
    const start = this.end;
    const buffers: Uint8Array[] = [];
    const entries: LogEntry[] = [];
    let offset = start;
    try {
      for (const append of batch) {
        const head = encodeHead(append.index, append.iv, append.data, this.options.fsync);
        buffers.push(head, append.data);
        const size = head.byteLength + append.data.byteLength;
        entries.push({ index: append.index, offset, size });
        offset += size;
      }
      let handle = await this.ensureOpen();
      try {
        try {
          if (this.direct) await this.directAppends.write(handle, buffers, start, offset);
          else await writeAll(handle, buffers, start, offset - start);
        } catch (error) {
          if (!this.direct || !(error instanceof DirectIoRefused || DIRECT_REFUSALS.has((error as NodeJS.ErrnoException).code ?? ''))) throw error;
          // This file system (or this memory) takes no direct writes after all: the store's logs append buffered from now on.
          this.options.directIo = false;
          await this.closeHandle();
          handle = await this.ensureOpen();
          await writeAll(handle, buffers, start, offset - start);
        }
        if (this.options.fsync) await handle.datasync();
      } catch (error) {
        // Nothing of a failed batch counts: cut it off so the next one starts at a record boundary.
        await handle.truncate(start).catch(() => undefined);
        throw error;
      }
      this.end = offset;
    } catch (error) {
      for (const append of batch) append.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(entries[i]!);
  }

  /** The log's bytes from `from` to `to`, read back (the last partial block, after the handle was reopened). */
  private async readBack(from: number, to: number): Promise<Uint8Array> {
    const bytes = Buffer.allocUnsafe(to - from);
    if (bytes.byteLength === 0) return bytes;
    this.reads += 1;
    clearTimeout(this.readerTimer);
    try {
      const reader = this.reader ?? (await this.openReader());
      if ((await readFully(reader, bytes, bytes.byteLength, from)) !== bytes.byteLength) throw new Error('chunk log: shorter than its records');
      return bytes;
    } finally {
      this.readDone();
    }
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle) {
      this.options.pool.used(this);
      return this.handle;
    }
    while (this.closing) await this.closing;
    const handle = await this.openForAppends();
    if (this.removed) {
      await closeCounted(handle);
      throw new LogRemovedError();
    }
    this.handle = handle;
    this.options.pool.used(this);
    if (this.options.fsync && !this.dirSynced) {
      // The log's directory entry must survive a power loss too (once per item and process).
      await syncDir(path.dirname(this.file));
      this.dirSynced = true;
    }
    return handle;
  }

  private async openForAppends(): Promise<FileHandle> {
    const flags = constants.O_RDWR | constants.O_CREAT;
    if (this.options.directIo && O_DIRECT !== undefined) {
      try {
        const handle = await openCounted(this.file, flags | O_DIRECT);
        this.direct = true;
        return handle;
      } catch (error) {
        if (!DIRECT_REFUSALS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
        this.options.directIo = false; // a file system without O_DIRECT (some overlays, network file systems)
      }
    }
    this.direct = false;
    return openCounted(this.file, flags);
  }

  private openReader(): Promise<FileHandle> {
    this.readerOpening ??= openCounted(this.file, 'r').then(
      async (handle) => {
        this.readerOpening = undefined;
        if (this.removed) {
          await closeCounted(handle);
          throw new LogRemovedError();
        }
        this.reader = handle;
        this.options.pool.used(this);
        return handle;
      },
      (error: unknown) => {
        this.readerOpening = undefined;
        throw error;
      },
    );
    return this.readerOpening;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    if (!this.reader) this.options.pool.forget(this);
    const padded = this.direct && !this.removed && this.end % DIRECT_ALIGN !== 0;
    const closing = (async () => {
      // A direct write pads the last block with zeros: the file ends where the records do. Best
      // effort: padding left behind (a failed cut) is recognised as such by the scan at start-up.
      if (padded) await handle.truncate(this.end).catch(() => undefined);
      await closeCounted(handle);
    })();
    this.closing = closing;
    try {
      await closing;
    } finally {
      if (this.closing === closing) this.closing = undefined;
    }
  }

  private async closeReader(): Promise<void> {
    clearTimeout(this.readerTimer);
    const reader = this.reader;
    if (!reader) return;
    this.reader = undefined;
    if (!this.handle) this.options.pool.forget(this);
    await closeCounted(reader);
  }

  private failQueued(error: Error): void {
    const queued = this.queue;
    this.queue = [];
    for (const append of queued) append.reject(error);
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// ---- recovery ----------------------------------------------------------------

export interface ScanResult {
  entries: LogEntry[];
  /** Length of the valid records; the file is truncated to it. */
  end: number;
  /** Bytes cut off the end (an incomplete or damaged tail). */
  truncated: number;
}

/** Whether the bytes from `from` to `to` are zeros within the block after `from` (direct-io.ts). */
async function zerosOnly(handle: FileHandle, from: number, to: number): Promise<boolean> {
  if (to > alignUp(from)) return false;
  const bytes = Buffer.allocUnsafe(to - from);
  return (await readFully(handle, bytes, bytes.byteLength, from)) === bytes.byteLength && bytes.every((byte) => byte === 0);
}

/**
 * Reads a log's record headers (seeking over the data), keeps the records up
 * to the first incomplete or invalid one and truncates the file there. With
 * `verifyTail`, the data CRC of the records that can belong to the last batch
 * is checked as well (a torn write after a power loss). No file: no records.
 */
export async function scanLog(file: string, totalChunks: number, options: { verifyTail: boolean; fsync: boolean }): Promise<ScanResult> {
  let handle: FileHandle;
  try {
    handle = await openCounted(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], end: 0, truncated: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const entries: LogEntry[] = [];
    const window = Buffer.allocUnsafe(SCAN_WINDOW);
    let windowStart = 0;
    let windowLength = 0;
    let lastSize = 0;
    let pos = 0;
    while (pos + RECORD_HEADER_BYTES <= size) {
      if (pos < windowStart || pos + RECORD_HEADER_BYTES > windowStart + windowLength) {
        // Small records: read many headers at once; large ones: just the header.
        const want = lastSize > 0 && lastSize < SCAN_WINDOW / 2 ? SCAN_WINDOW : RECORD_HEADER_BYTES;
        windowStart = pos;
        windowLength = await readFully(handle, window, Math.min(want, size - pos), pos);
      }
      const header = decodeHeader(window.subarray(0, windowLength), pos - windowStart);
      if (!header || header.index >= totalChunks) break;
      const recordSize = RECORD_HEADER_BYTES + header.ivLength + header.dataLength;
      if (pos + recordSize > size) break;
      entries.push({ index: header.index, offset: pos, size: recordSize });
      lastSize = recordSize;
      pos += recordSize;
    }
    if (options.verifyTail && entries.length > 0) {
      let first = entries.length - 1;
      while (first > 0 && entries[first - 1]!.offset >= pos - MAX_BATCH_BYTES) first -= 1;
      for (let i = first; i < entries.length; i++) {
        const entry = entries[i]!;
        const record = Buffer.allocUnsafe(entry.size);
        const got = await readFully(handle, record, entry.size, entry.offset);
        if (got !== entry.size || !decodeRecord(record, entry.index)) {
          pos = entry.offset;
          entries.length = i;
          break;
        }
      }
    }
    if (pos < size) {
      const padding = await zerosOnly(handle, pos, size);
      await handle.truncate(pos);
      if (options.fsync) await handle.datasync();
      // Zeros up to the next block: a direct write's padding (the process stopped before closing the log).
      if (padding) return { entries, end: pos, truncated: 0 };
    }
    return { entries, end: pos, truncated: size - pos };
  } finally {
    await closeCounted(handle);
  }
}
