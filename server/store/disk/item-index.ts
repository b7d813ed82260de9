/**
 * One item in the store's memory index: its record, which chunks are stored
 * and where each one's record is in the item's chunk log.
 */
import type { ItemRecord, ItemState } from '../content-store.ts';
import type { ChunkLog, LogEntry } from './chunk-log.ts';
import { RECORD_HEADER_BYTES } from './chunk-log.ts';

export class ItemIndex {
  /** Ciphertext bytes held: descriptor, inline data, and each chunk's iv and data. */
  bytes: number;
  /** Set while item.json is being written: chunks wait for it (their log lives in the item's directory). */
  created: Promise<void> | undefined;
  /** Chunks being written, so a repeated chunk waits for the first write instead of adding a second record. */
  readonly writing = new Map<number, Promise<unknown>>();
  /** Bytes of chunks being written, counted against the limits before they are stored. */
  pendingBytes = 0;
  /** The owner generation of an unfinished upload (content-store.ts); kept in memory only: after a restart nobody owns it. */
  generation = 0;
  /** Last chunk, claim or release of an unfinished upload (or when it was loaded), for abandonment. */
  lastActivityAt = 0;
  private receivedCount = 0;
  // Allocated with the first chunk: 12 bytes per announced chunk.
  private offsets: Float64Array | undefined;
  /** Record sizes (header + iv + data); 0 = not stored. */
  private sizes: Uint32Array | undefined;

  private current: ItemRecord;
  /** The record with the state's fields: spreading an object of the result's shape is far cheaper than `{ ...record, more }`. */
  private template: ItemState;

  constructor(record: ItemRecord, readonly log: ChunkLog) {
    this.current = record;
    this.template = { ...record, bytes: 0, receivedChunks: 0, complete: false, generation: 0 };
    this.bytes = record.encryptedDescriptor.byteLength + (record.data?.byteLength ?? 0);
  }

  get record(): ItemRecord {
    return this.current;
  }

  set record(record: ItemRecord) {
    this.current = record;
    this.template = { ...record, bytes: 0, receivedChunks: 0, complete: false, generation: 0 };
  }

  get complete(): boolean {
    return this.receivedCount === this.record.totalChunks;
  }

  has(index: number): boolean {
    return (this.sizes?.[index] ?? 0) !== 0;
  }

  /** The chunk's record, if stored. */
  entry(index: number): LogEntry | undefined {
    const size = this.sizes?.[index] ?? 0;
    return size === 0 ? undefined : { index, offset: this.offsets![index]!, size };
  }

  /** Records a stored chunk; the first record of an index wins. Returns whether it was new. */
  add(entry: LogEntry): boolean {
    const { index } = entry;
    if (!Number.isInteger(index) || index < 0 || index >= this.record.totalChunks || this.has(index)) return false;
    this.sizes ??= new Uint32Array(this.record.totalChunks);
    this.offsets ??= new Float64Array(this.record.totalChunks);
    this.sizes[index] = entry.size;
    this.offsets[index] = entry.offset;
    this.receivedCount += 1;
    this.bytes += entry.size - RECORD_HEADER_BYTES;
    return true;
  }

  /** Forgets a chunk (its record turned out to be damaged), so it is missing again. */
  drop(index: number): void {
    const size = this.sizes?.[index] ?? 0;
    if (size === 0) return;
    this.sizes![index] = 0;
    this.receivedCount -= 1;
    this.bytes -= size - RECORD_HEADER_BYTES;
  }

  missing(): number[] {
    const missing: number[] = [];
    for (let index = 0; index < this.record.totalChunks; index++) if (!this.has(index)) missing.push(index);
    return missing;
  }

  state(): ItemState {
    return {
      ...this.template,
      bytes: this.bytes,
      receivedChunks: this.receivedCount,
      complete: this.receivedCount === this.record.totalChunks,
      generation: this.generation,
    };
  }
}
