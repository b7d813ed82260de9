/**
 * Tracks which chunks of an item have arrived. AES-GCM authenticates each
 * chunk alone; this catches what per-chunk checks cannot: missing chunks
 * (truncation), conflicting duplicates and chunks of the wrong length.
 */
import { ProtocolError } from '../errors.ts';
import { asBufferSource, bytesEqual } from './encoding.ts';
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
  // SHA-256 per chunk rather than the bytes: duplicates are compared without
  // keeping the whole item in memory (at most 65,536 x 32 bytes).
  readonly #digests: (Uint8Array | undefined)[];
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
    this.#digests = new Array<Uint8Array | undefined>(totalChunks).fill(undefined);
  }

  /**
   * Records a decrypted chunk. Resolves true when new, false for an identical
   * duplicate (a harmless resend); throws INTEGRITY for anything else.
   */
  async accept(chunkIndex: number, plaintext: Uint8Array): Promise<boolean> {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= this.totalChunks) {
      throw new ProtocolError('INTEGRITY', 'chunk index is outside the item');
    }
    const expected = this.expectedLength(chunkIndex);
    if (expected !== undefined && plaintext.length !== expected) {
      throw new ProtocolError('INTEGRITY', 'chunk has the wrong length');
    }
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', asBufferSource(plaintext)));
    // Re-read after the await: another accept() for this index may have won.
    const previous = this.#digests[chunkIndex];
    if (previous !== undefined) {
      if (!bytesEqual(previous, digest)) throw new ProtocolError('INTEGRITY', 'conflicting duplicate chunk');
      return false;
    }
    this.#digests[chunkIndex] = digest;
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
    return this.#digests[chunkIndex] !== undefined;
  }

  get receivedCount(): number {
    return this.#received;
  }

  /** Indices not yet received, ascending. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.totalChunks; i++) if (this.#digests[i] === undefined) out.push(i);
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
