/**
 * One item arriving: decrypts its descriptor and chunks, checks the chunk
 * sequence, and queues verified plaintext for the reader. Chunks come two
 * ways: pushed by the server as the sender uploads, or fetched from the
 * server's store (history, chunks missed while disconnected or joined late,
 * chunks the server deferred because this client was slow, chunks dropped
 * here because the reader was slow). Either way they are decrypted,
 * authenticated and checked against the sequence before a reader sees them.
 *
 * Memory is bounded per item: only chunks within `receiveBufferBytes` of the
 * reader's position are kept. A pushed chunk beyond it is verified (so
 * progress and completeness are known), dropped, and fetched again once the
 * reader gets there. Fetching runs only while someone reads (or for small
 * history items, prefetched), keeps a window of requests in flight (never one
 * round trip per chunk) and never asks for more than the buffer can hold.
 */
import { ChunkSequenceVerifier, decryptDescriptor } from '../../protocol/crypto/index.ts';
import type { ContentDescriptor, SessionKeys } from '../../protocol/crypto/index.ts';
import { ChunkSchema, parsePayload, type Chunk } from '../../protocol/schemas.ts';
import { ShareError, toShareError } from './errors.ts';
import { ChunkQueue } from './chunk-queue.ts';
import type { Semaphore } from './flow.ts';
import type { ChunkCipher } from './chunk-cipher.ts';

export interface TransferContext {
  sessionId: string;
  keys: SessionKeys;
  chunkCipher: ChunkCipher;
  /** Resolves once the session is joined on the current connection; rejects when it is over. */
  ready(signal: AbortSignal): Promise<void>;
  /** `fetch-chunk`: the stored chunk as the server sent it (validated here). */
  fetchChunk(contentId: string, chunkIndex: number, signal: AbortSignal): Promise<unknown>;
  /** Fetches in flight, shared by every item of the client. */
  fetchSlots: Semaphore;
  receiveBufferBytes: number;
  stallTimeoutMs: number;
}

export interface TransferHooks {
  /** Verified plaintext bytes so far, out of the descriptor's size. */
  onProgress(bytes: number, total: number): void;
  /** A failure found here (descriptor, chunk, stall), as opposed to one imposed from outside (cancel, leave). */
  onVerifyFailure(error: ShareError): void;
}

/** What is known of the item on the server when the transfer starts (or after a re-join). */
export interface ServerState {
  /** Every chunk is stored (the upload finished). */
  stored: boolean;
  /** Chunks stored so far: a hint of which ones can be fetched. */
  receivedChunks: number;
  /** The sender is still connected (it may still push chunks). */
  senderPresent: boolean;
}

export interface TransferHeader {
  contentId: string;
  senderId: string;
  totalChunks: number;
  iv: Uint8Array;
  encryptedDescriptor: Uint8Array;
}

type Settled = 'pending' | 'complete' | 'failed';

export class IncomingTransfer {
  readonly contentId: string;
  readonly senderId: string;
  readonly totalChunks: number;
  readonly queue: ChunkQueue;
  /** Rejects with the descriptor's failure (the transfer is then failed too). */
  readonly descriptor: Promise<ContentDescriptor>;
  /** Resolves once complete (stored on the server, or every chunk verified here); rejects when failed. Never unhandled. */
  readonly received: Promise<void>;
  /** Set once the app has been given this item: only then are cancellations worth announcing. */
  announced = false;

  readonly #ctx: TransferContext;
  readonly #hooks: TransferHooks;
  #verifier: ChunkSequenceVerifier | undefined;
  /** Chunks the buffer may hold ahead of the reader; known once the descriptor is. */
  #capacity = 1;
  #bytes = 0;
  #settled: Settled = 'pending';
  #failure: ShareError | undefined;
  #settle!: { resolve: () => void; reject: (error: ShareError) => void };

  /** The server holds every chunk. */
  #stored: boolean;
  /** Chunks below this index have been sent by the sender (pushed, announced available or stored). */
  #frontier: number;
  /** Fetched and answered NOT_FOUND: not stored yet; asked again after the next sign of progress. */
  readonly #notYet = new Set<number>();
  /** Being fetched or being decrypted after a push. */
  readonly #arriving = new Set<number>();
  /** Being decrypted: another copy of the same index arriving meanwhile is dropped unread (SPEC §3.3). */
  readonly #opening = new Set<number>();
  #senderAway: boolean;
  #linkUp = true;
  /** Readers (and prefetch) that want chunks; fetching runs only while positive. */
  #demand = 0;
  #fetching = false;
  #wakeFetcher: (() => void) | undefined;
  /** Aborted when the transfer fails: stops the fetcher and its requests. */
  readonly #stop = new AbortController();
  /** The stall timer, and when it really expires (performance.now()): see #arm. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline = 0;
  /** A chunk was pushed to us: later ones come the same way, or are announced (see uploadProgress). */
  #pushed = false;

  constructor(header: TransferHeader, state: ServerState, ctx: TransferContext, hooks: TransferHooks) {
    this.contentId = header.contentId;
    this.senderId = header.senderId;
    this.totalChunks = header.totalChunks;
    this.queue = new ChunkQueue(header.totalChunks);
    this.queue.onTake = () => this.#wake();
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#stored = state.stored;
    this.#frontier = state.stored ? header.totalChunks : Math.min(header.totalChunks, Math.max(0, state.receivedChunks));
    this.#senderAway = !state.senderPresent;
    this.received = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.received.catch(() => {});
    this.descriptor = this.#openDescriptor(header);
    this.descriptor.catch(() => {});
    this.#arm();
  }

  get settled(): Settled {
    return this.#settled;
  }

  /** Every chunk is available (stored on the server, or verified here). */
  get complete(): boolean {
    return this.#settled === 'complete';
  }

  /** Nothing more can happen: failed, or every chunk handed to the reader. */
  get finished(): boolean {
    return this.#settled === 'failed' || this.queue.next >= this.totalChunks;
  }

  /**
   * A chunk the server relayed as the sender uploaded it. `senderPresent`:
   * its sender (maybe a new connection of the original one, resuming) is a
   * member now; a chunk relayed late, after its sender left, says nothing.
   */
  push(chunk: Chunk, senderPresent: boolean): void {
    if (this.#settled === 'failed') return;
    if (chunk.totalChunks !== this.totalChunks) {
      this.#integrity('a chunk disagrees with the item about the chunk count');
      return;
    }
    const index = chunk.chunkIndex;
    this.#frontier = Math.max(this.#frontier, index + 1);
    this.#pushed = true;
    // Not a sign that an earlier chunk answered NOT_FOUND is stored now: it may be held back for us and
    // still being written. Asked again on its chunk-available or the next upload-progress, not on every
    // push (that asked for each held-back chunk over and over: 1,134 fetches for 148 needed at 1 GiB).
    if (senderPresent) this.#senderAway = false;
    this.#arm();
    this.#arriving.add(index);
    void this.#process(chunk).finally(() => {
      this.#arriving.delete(index);
      this.#wake();
    });
  }

  /** `chunk-available`: stored, but not pushed to us (we were behind); fetch it when there is room. */
  available(index: number): void {
    if (this.#settled === 'failed' || !Number.isInteger(index) || index < 0 || index >= this.totalChunks) return;
    this.#frontier = Math.max(this.#frontier, index + 1);
    this.#notYet.delete(index);
    this.#arm();
    this.#wake();
  }

  /**
   * `upload-progress`: the server holds `receivedChunks` chunks; the sender is
   * uploading. Once chunks are pushed to us, the ones stored but not here yet
   * are on their way (pushed in order; one held back is announced by
   * `chunk-available`): fetching them too fetched each twice whenever we were
   * a few chunks behind (954 fetches for a 1 GiB file, 140 of them needed).
   */
  uploadProgress(receivedChunks: number): void {
    if (this.#settled === 'failed' || !Number.isInteger(receivedChunks)) return;
    if (!this.#pushed) this.#frontier = Math.max(this.#frontier, Math.min(this.totalChunks, receivedChunks));
    this.#notYet.clear();
    this.#arm();
    this.#wake();
  }

  /** `content-complete`, or a history header saying so: every chunk can be fetched. */
  markStored(): void {
    if (this.#settled === 'failed') return;
    this.#stored = true;
    this.#frontier = this.totalChunks;
    this.#notYet.clear();
    this.#disarm();
    this.descriptor.then(() => this.#complete(), () => {});
    this.#wake();
  }

  /** After a re-join: what the server says now. */
  update(state: ServerState): void {
    if (state.stored) {
      this.markStored();
      return;
    }
    this.#frontier = Math.max(this.#frontier, Math.min(this.totalChunks, state.receivedChunks));
    this.#notYet.clear();
    this.#senderAway = !state.senderPresent;
    this.#arm();
    this.#wake();
  }

  /** The sender left: it may come back and resume, so the item stays pending (no stall failure). */
  senderLeft(): void {
    this.#senderAway = true;
    this.#disarm();
  }

  /** Our own connection went or came back: nothing can arrive meanwhile, so nothing can stall. */
  link(up: boolean): void {
    this.#linkUp = up;
    if (up) {
      this.#arm();
      this.#wake();
    } else {
      this.#disarm();
    }
  }

  /** A reader (or prefetch) wants the chunks: fetch what is missing, a window at a time. */
  claim(): void {
    this.#demand++;
    this.#pump();
  }

  unclaim(): void {
    this.#demand = Math.max(0, this.#demand - 1);
  }

  /**
   * Stops the transfer; false when there was nothing left to stop (failed, or
   * everything still to read is already here, verified).
   */
  fail(error: ShareError, force = false): boolean {
    if (this.#settled === 'failed' || (!force && this.queue.holdsRest)) return false;
    const wasPending = this.#settled === 'pending';
    this.#settled = 'failed';
    this.#failure = error;
    this.#disarm();
    this.#stop.abort(error);
    this.queue.fail(error);
    if (wasPending) this.#settle.reject(error);
    this.#wake();
    return true;
  }

  get failure(): ShareError | undefined {
    return this.#failure;
  }

  async #openDescriptor(header: TransferHeader): Promise<ContentDescriptor> {
    const { contentId, totalChunks, iv, encryptedDescriptor } = header;
    try {
      const { sessionId, keys } = this.#ctx;
      const descriptor = await decryptDescriptor(keys.metadataKey, sessionId, contentId, totalChunks, iv, encryptedDescriptor);
      const { size, chunkSize } = descriptor;
      // Inline text has no chunk layout; everything else must add up to totalChunks exactly.
      this.#verifier = new ChunkSequenceVerifier(totalChunks, descriptor.text === undefined ? { size, chunkSize } : undefined);
      this.#capacity = Math.max(1, Math.floor(this.#ctx.receiveBufferBytes / chunkSize));
      if (totalChunks === 0 || this.#stored) this.#complete();
      return descriptor;
    } catch (error) {
      const failure = toShareError(error, 'INTEGRITY', contentId);
      if (this.fail(failure, true)) this.#hooks.onVerifyFailure(failure);
      throw failure;
    }
  }

  /** Within the buffer's reach of the reader: worth keeping. */
  #inWindow(index: number): boolean {
    return index >= this.queue.next && index < this.queue.next + this.#capacity;
  }

  async #process(chunk: Chunk): Promise<void> {
    const { chunkIndex, totalChunks, iv, encryptedData } = chunk;
    try {
      const descriptor = await this.descriptor;
      const verifier = this.#verifier!;
      // Verified before and not needed in the buffer (read already, held, or too far ahead): nothing to do.
      if (verifier.has(chunkIndex) && (!this.#inWindow(chunkIndex) || this.queue.has(chunkIndex))) return;
      // A copy of this index is being opened: if it authenticates it is the chunk, if not the item fails.
      if (this.#opening.has(chunkIndex)) return;
      const { sessionId, keys } = this.#ctx;
      const parts = { sessionId, contentId: this.contentId, chunkIndex, totalChunks };
      this.#opening.add(chunkIndex);
      let plaintext: Uint8Array;
      try {
        plaintext = await this.#ctx.chunkCipher.open(keys.contentKey, parts, iv, encryptedData);
      } finally {
        this.#opening.delete(chunkIndex);
      }
      if (this.#isFailed()) return;
      // The first authenticated copy of an index is the chunk (SPEC §3.3): a later one is only kept for the buffer.
      const fresh = verifier.accept(chunkIndex, plaintext);
      if (fresh) {
        this.#bytes += plaintext.length;
        this.#hooks.onProgress(this.#bytes, descriptor.size);
      }
      if (this.#inWindow(chunkIndex)) this.queue.put(chunkIndex, plaintext);
      if (verifier.isComplete()) this.#complete();
    } catch (error) {
      if (this.#settled === 'failed') return; // e.g. the descriptor failure, already reported
      // Whatever went wrong with a chunk (forged, moved, malformed), the item cannot be trusted.
      const reason = error instanceof Error ? error.message : String(error);
      this.#integrity(`chunk ${chunkIndex} failed verification: ${reason}`, error);
    }
  }

  /** Read through a method: TypeScript would keep a narrowing across awaits. */
  #isFailed(): boolean {
    return this.#settled === 'failed';
  }

  #complete(): void {
    if (this.#settled !== 'pending') return;
    this.#settled = 'complete';
    this.#disarm();
    this.#settle.resolve();
  }

  #integrity(message: string, cause?: unknown): void {
    const error = new ShareError('INTEGRITY', message, { contentId: this.contentId, cause });
    if (this.fail(error, true)) this.#hooks.onVerifyFailure(error);
  }

  #wake(): void {
    const wake = this.#wakeFetcher;
    this.#wakeFetcher = undefined;
    wake?.();
    if (!wake) this.#pump();
  }

  #pump(): void {
    if (!this.#fetching && this.#demand > 0 && !this.finished) void this.#fetchLoop();
  }

  /** The first chunk worth fetching now: in the reader's window, not held, not on its way, sent by the sender. */
  #wanted(): number | undefined {
    const end = Math.min(this.totalChunks, this.queue.next + this.#capacity);
    for (let index = this.queue.next; index < end; index++) {
      if (!this.#stored && index >= this.#frontier) return undefined;
      if (this.queue.has(index) || this.#arriving.has(index) || this.#notYet.has(index)) continue;
      return index;
    }
    return undefined;
  }

  async #fetchLoop(): Promise<void> {
    this.#fetching = true;
    const signal = this.#stop.signal;
    try {
      await this.descriptor;
      while (this.#demand > 0 && !this.finished) {
        const index = this.#wanted();
        if (index === undefined) {
          await new Promise<void>((resolve) => (this.#wakeFetcher = resolve));
          continue;
        }
        await this.#ctx.ready(signal);
        await this.#ctx.fetchSlots.acquire(signal);
        if (this.#wanted() !== index) {
          this.#ctx.fetchSlots.release();
          continue;
        }
        this.#arriving.add(index);
        void this.#fetch(index).finally(() => {
          this.#arriving.delete(index);
          this.#ctx.fetchSlots.release();
          this.#wake();
        });
      }
    } catch {
      // Failed, or the session is over (the receiver fails the transfer then).
    } finally {
      this.#fetching = false;
    }
  }

  async #fetch(index: number): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.#ctx.fetchChunk(this.contentId, index, this.#stop.signal);
    } catch (error) {
      if (this.#settled === 'failed' || !(error instanceof ShareError)) return;
      if (error.code === 'NOT_FOUND') {
        // Complete yet gone: removed (or expired). Otherwise not stored yet: ask again after the next progress.
        if (this.#stored) this.fail(new ShareError('CANCELLED', 'This item is no longer on the server', { contentId: this.contentId }));
        else this.#notYet.add(index);
      } else if (error.code !== 'UNAVAILABLE') {
        // UNAVAILABLE: the connection went; the loop waits for the re-join and asks again.
        if (this.fail(toShareError(error, 'INTERNAL', this.contentId))) this.#hooks.onVerifyFailure(this.#failure!);
      }
      return;
    }
    const parsed = parsePayload(ChunkSchema, raw);
    if (!parsed.ok || parsed.value.contentId !== this.contentId || parsed.value.chunkIndex !== index) {
      this.#integrity(`the server answered the fetch of chunk ${index} with something else`);
      return;
    }
    this.#arm();
    await this.#process(parsed.value);
  }

  /**
   * A chunk that never comes can only be noticed by waiting. Only while the
   * sender is connected and the server does not hold the whole item: a
   * sender that dropped may resume (the server keeps its upload), and a
   * stored item is fetched, not waited for. Restarted by every sign of progress.
   */
  #arm(): void {
    const timeout = this.#ctx.stallTimeoutMs;
    if (timeout <= 0 || !Number.isFinite(timeout) || this.#settled !== 'pending' || this.#stored || this.#senderAway || !this.#linkUp) {
      this.#disarm();
      return;
    }
    // Every chunk moves the deadline; the timer, set once, looks at it when it fires and waits
    // out the rest: no clearTimeout and setTimeout per chunk (a timer task each in a browser).
    this.#deadline = performance.now() + timeout;
    if (this.#timer === undefined) this.#timer = setTimeout(this.#stallCheck, timeout, timeout);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #stallCheck = (timeout: number): void => {
    const left = this.#deadline - performance.now();
    if (left > 0) {
      this.#timer = setTimeout(this.#stallCheck, left, timeout);
      return;
    }
    this.#timer = undefined;
    const missing = this.totalChunks - (this.#verifier?.receivedCount ?? 0);
    this.#integrity(`item is incomplete: ${missing} chunk(s) missing after ${timeout} ms without progress`);
  };
}
