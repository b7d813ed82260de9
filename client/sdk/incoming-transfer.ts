/**
 * One item arriving: decrypts its descriptor and chunks, checks the chunk
 * sequence, and queues verified plaintext for the reader. Chunks are
 * decrypted as soon as they arrive (concurrently), but only ever handed out
 * in order and only after authentication, so nothing unverified is read.
 */
import { ChunkSequenceVerifier, decryptChunk, decryptDescriptor } from '../../protocol/crypto/index.ts';
import type { ContentDescriptor, SessionKeys } from '../../protocol/crypto/index.ts';
import type { RelayedContentHeader } from '../../protocol/events.ts';
import type { Chunk } from '../../protocol/schemas.ts';
import { ShareError, toShareError } from './errors.ts';
import { ChunkQueue } from './chunk-queue.ts';

export interface TransferHooks {
  /** Verified plaintext bytes so far, out of the descriptor's size. */
  onProgress(bytes: number, total: number): void;
  /** A failure found here (descriptor, chunk, stall), as opposed to one imposed from outside (cancel, leave). */
  onVerifyFailure(error: ShareError): void;
}

export class IncomingTransfer {
  readonly contentId: string;
  readonly senderId: string;
  readonly totalChunks: number;
  readonly queue: ChunkQueue;
  /** Rejects with the descriptor's failure (the transfer is then failed too). */
  readonly descriptor: Promise<ContentDescriptor>;
  /** Resolves once complete; rejects when failed. Never an unhandled rejection. */
  readonly received: Promise<void>;
  /** Set once the app has been given this item: only then are cancellations worth announcing. */
  announced = false;

  readonly #sessionId: string;
  readonly #keys: SessionKeys;
  readonly #hooks: TransferHooks;
  readonly #stallTimeoutMs: number;
  #verifier: ChunkSequenceVerifier | undefined;
  #bytes = 0;
  #state: 'receiving' | 'complete' | 'failed' = 'receiving';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settle!: { resolve: () => void; reject: (error: ShareError) => void };

  constructor(sessionId: string, header: RelayedContentHeader, keys: SessionKeys, hooks: TransferHooks, stallTimeoutMs: number) {
    this.contentId = header.contentId;
    this.senderId = header.senderId;
    this.totalChunks = header.totalChunks;
    this.queue = new ChunkQueue(header.totalChunks);
    this.#sessionId = sessionId;
    this.#keys = keys;
    this.#hooks = hooks;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.received = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.received.catch(() => {});
    this.descriptor = this.#openDescriptor(header);
    this.descriptor.catch(() => {});
    this.#arm();
  }

  get state(): 'receiving' | 'complete' | 'failed' {
    return this.#state;
  }

  /** A relayed chunk of this item (the caller matched the content id). */
  accept(chunk: Chunk, senderId: string): void {
    if (this.#state !== 'receiving' || senderId !== this.senderId) return;
    this.#arm();
    if (chunk.totalChunks !== this.totalChunks) {
      this.#integrity('a chunk disagrees with the item about the chunk count');
      return;
    }
    void this.#process(chunk);
  }

  /** Stops the transfer; false when it had already completed or failed. */
  fail(error: ShareError): boolean {
    if (this.#state !== 'receiving') return false;
    this.#state = 'failed';
    clearTimeout(this.#timer);
    this.queue.fail(error);
    this.#settle.reject(error);
    return true;
  }

  async #openDescriptor(header: RelayedContentHeader): Promise<ContentDescriptor> {
    const { contentId, totalChunks, iv, encryptedDescriptor } = header;
    try {
      const descriptor = await decryptDescriptor(this.#keys.metadataKey, this.#sessionId, contentId, totalChunks, iv, encryptedDescriptor);
      const { size, chunkSize } = descriptor;
      // Inline text has no chunk layout; everything else must add up to totalChunks exactly.
      this.#verifier = new ChunkSequenceVerifier(totalChunks, descriptor.text === undefined ? { size, chunkSize } : undefined);
      if (totalChunks === 0) this.#complete();
      return descriptor;
    } catch (error) {
      const failure = toShareError(error, 'INTEGRITY', contentId);
      if (this.fail(failure)) this.#hooks.onVerifyFailure(failure);
      throw failure;
    }
  }

  async #process(chunk: Chunk): Promise<void> {
    const { chunkIndex, totalChunks, iv, encryptedData } = chunk;
    try {
      const parts = { sessionId: this.#sessionId, contentId: this.contentId, chunkIndex, totalChunks };
      const plaintext = await decryptChunk(this.#keys.contentKey, parts, iv, encryptedData);
      const descriptor = await this.descriptor;
      if (this.#state !== 'receiving') return;
      if (!(await this.#verifier!.accept(chunkIndex, plaintext)) || this.#state !== 'receiving') return;
      this.#bytes += plaintext.length;
      this.queue.put(chunkIndex, plaintext);
      this.#hooks.onProgress(this.#bytes, descriptor.size);
      if (this.#verifier!.isComplete()) this.#complete();
    } catch (error) {
      if (this.#state !== 'receiving') return; // e.g. the descriptor failure, already reported
      // Whatever went wrong with a chunk (forged, moved, malformed), the item cannot be trusted.
      const reason = error instanceof Error ? error.message : String(error);
      this.#integrity(`chunk ${chunkIndex} failed verification: ${reason}`, error);
    }
  }

  #complete(): void {
    if (this.#state !== 'receiving') return;
    this.#state = 'complete';
    clearTimeout(this.#timer);
    this.#settle.resolve();
  }

  #integrity(message: string, cause?: unknown): void {
    const error = new ShareError('INTEGRITY', message, { contentId: this.contentId, cause });
    if (this.fail(error)) this.#hooks.onVerifyFailure(error);
  }

  /**
   * Nothing marks the end of an item on the wire, so a chunk that never comes
   * can only be noticed by waiting: restarted by every chunk.
   */
  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#stallTimeoutMs <= 0 || !Number.isFinite(this.#stallTimeoutMs)) return;
    this.#timer = setTimeout(() => {
      const missing = this.totalChunks - (this.#verifier?.receivedCount ?? 0);
      this.#integrity(`item is incomplete: ${missing} chunk(s) missing after ${this.#stallTimeoutMs} ms without progress`);
    }, this.#stallTimeoutMs);
  }
}
