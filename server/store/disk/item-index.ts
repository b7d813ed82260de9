/** One item in the store's memory index: its record and which chunks are on disk. */
import type { ItemRecord, ItemState } from '../content-store.ts';

export class ItemIndex {
  /** Ciphertext bytes held: descriptor, inline data and chunk files. */
  bytes: number;
  private receivedCount = 0;
  private readonly received: Uint8Array;

  constructor(public record: ItemRecord) {
    this.received = new Uint8Array(Math.ceil(record.totalChunks / 8));
    this.bytes = record.encryptedDescriptor.byteLength + (record.data?.byteLength ?? 0);
  }

  has(index: number): boolean {
    return ((this.received[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }

  add(index: number, size: number): void {
    if (this.has(index)) return;
    this.received[index >> 3]! |= 1 << (index & 7);
    this.receivedCount += 1;
    this.bytes += size;
  }

  missing(): number[] {
    const missing: number[] = [];
    for (let index = 0; index < this.record.totalChunks; index++) if (!this.has(index)) missing.push(index);
    return missing;
  }

  state(): ItemState {
    return {
      ...this.record,
      bytes: this.bytes,
      receivedChunks: this.receivedCount,
      complete: this.receivedCount === this.record.totalChunks,
    };
  }
}
