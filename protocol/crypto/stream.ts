/**
 * Tracks which chunks of an item have arrived. AES-GCM authenticates each
 * chunk alone; this catches what per-chunk checks cannot: missing chunks
 * (truncation) and chunks of the wrong length. The first authenticated copy
 * of an index is the chunk; later copies are not compared (SPEC §3.3).
 */
import { ProtocolError } from '../errors.ts';
import { MAX_TOTAL_CHUNKS } from './sizes.ts';

export interface ChunkLayout {
  /** Descriptor `size`: total plaintext bytes. */
  readonly size: number;
  /** Descriptor `chunkSize`: every chunk but the last has exactly this length. */
  readonly chunkSize: number;
}

export class ChunkSequenceVerifier {
  readonly totalChunks: number;
  readonly #layout: ChunkLayout | undefined;
  /** One bit per index: an authenticated copy has been accepted. */
  readonly #seen: Uint8Array;
  #received = 0;

  /** `layout` (from the decrypted descriptor) enables per-chunk length checks. */
  constructor(totalChunks: number, layout?: ChunkLayout) {
    if (!Number.isInteger(totalChunks) || totalChunks < 0 || totalChunks > MAX_TOTAL_CHUNKS) {
      throw new ProtocolError('INVALID_PAYLOAD', `totalChunks must be an integer in 0..${MAX_TOTAL_CHUNKS}`);
    }
    if (layout && Math.ceil(layout.size / layout.chunkSize) !== totalChunks) {
      throw new ProtocolError('INTEGRITY', 'chunk layout does not match totalChunks');
    }
    this.totalChunks = totalChunks;
    this.#layout = layout;
    this.#seen = new Uint8Array(Math.ceil(totalChunks / 8));
  }

  /**
   * Records a chunk that authenticated (decrypted with the chunk AAD): true
   * when its index is new, false when the index was accepted before (a
   * resend, a fetch after a push: SPEC §3.3, the first copy is the chunk).
   * Throws INTEGRITY for an index outside the item or a wrong length.
   */
  accept(chunkIndex: number, plaintext: Uint8Array): boolean {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= this.totalChunks) {
      throw new ProtocolError('INTEGRITY', 'chunk index is outside the item');
    }
    const expected = this.expectedLength(chunkIndex);
    if (expected !== undefined && plaintext.length !== expected) {
      throw new ProtocolError('INTEGRITY', 'chunk has the wrong length');
    }
    if (this.has(chunkIndex)) return false;
    this.#seen[chunkIndex >> 3]! |= 1 << (chunkIndex & 7);
    this.#received++;
    return true;
  }

  /** Plaintext length chunk `index` must have, when the layout is known. */
  expectedLength(index: number): number | undefined {
    if (!this.#layout) return undefined;
    const { size, chunkSize } = this.#layout;
    return Math.min(chunkSize, size - index * chunkSize);
  }

  has(chunkIndex: number): boolean {
    return (this.#seen[chunkIndex >> 3]! & (1 << (chunkIndex & 7))) !== 0;
  }

  get receivedCount(): number {
    return this.#received;
  }

  /** Indices not yet received, ascending. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.totalChunks; i++) if (!this.has(i)) out.push(i);
    return out;
  }

  isComplete(): boolean {
    return this.#received === this.totalChunks;
  }

  /** For the end of a transfer: a short list is an integrity failure, not success. */
  assertComplete(): void {
    if (!this.isComplete()) {
      throw new ProtocolError('INTEGRITY', `item is incomplete: ${this.totalChunks - this.#received} chunk(s) missing`);
    }
  }
}
