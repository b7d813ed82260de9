/**
 * Decrypted, verified chunks of one item waiting for its reader. Chunks may
 * be stored in any order; the reader takes them strictly by index, and each
 * is released as soon as it is taken, so a reader that keeps up holds only
 * what is in transit. A failure empties the queue at once and is what the
 * reader sees next: no further byte of a suspect item is handed out.
 */
export class ChunkQueue {
  readonly #chunks = new Map<number, Uint8Array>();
  #next = 0;
  #buffered = 0;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  /** Called after each take: the reader moved on, so there is room for more. */
  onTake: (() => void) | undefined;

  constructor(readonly total: number) {}

  /** Plaintext bytes stored and not yet taken. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True once a reader has taken anything: the item can no longer be read from the start. */
  get started(): boolean {
    return this.#next > 0;
  }

  /** The index the reader takes next (total once everything was taken). */
  get next(): number {
    return this.#next;
  }

  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** Every chunk not yet handed out is waiting here: the item can be read to the end without more. */
  get holdsRest(): boolean {
    return this.#chunks.size === this.total - this.#next;
  }

  /** Already handed out, or waiting here. */
  has(index: number): boolean {
    return index < this.#next || this.#chunks.has(index);
  }

  /**
   * Before the first take: the reader starts at chunk `index` (a download
   * resumed from a partial file); chunks before it are dropped, never fetched.
   */
  skipTo(index: number): void {
    if (index <= this.#next) return;
    for (const [at, chunk] of this.#chunks) {
      if (at >= index) continue;
      this.#chunks.delete(at);
      this.#buffered -= chunk.length;
    }
    this.#next = Math.min(index, this.total);
    this.#notify();
    this.onTake?.();
  }

  put(index: number, chunk: Uint8Array): void {
    if (this.#error || index < this.#next || this.#chunks.has(index)) return;
    this.#chunks.set(index, chunk);
    this.#buffered += chunk.length;
    if (index === this.#next) this.#notify();
  }

  /** Fails the reader (now or at its next take) and drops everything buffered; the first error wins. */
  fail(error: Error): void {
    if (this.#error) return;
    this.#error = error;
    this.#chunks.clear();
    this.#buffered = 0;
    this.#notify();
  }

  /** The next chunk in order; undefined after the last. */
  async take(): Promise<Uint8Array | undefined> {
    for (;;) {
      // Everything was delivered (and each chunk verified): a later failure cannot taint it.
      if (this.#next >= this.total) return undefined;
      if (this.#error) throw this.#error;
      const chunk = this.#chunks.get(this.#next);
      if (chunk) {
        this.#chunks.delete(this.#next);
        this.#next++;
        this.#buffered -= chunk.length;
        this.onTake?.();
        return chunk;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
