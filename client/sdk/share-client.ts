/**
 * ShareClient: one device's membership in one session. Keys are derived once
 * per join and kept (in memory) for the session, so a reconnection re-joins
 * without asking for the passphrase again.
 */
import { base64urlEncode, deriveSessionKeys, type SessionKeys } from '../../protocol/crypto/index.ts';
import { MAX_UPLOADS_PER_SOCKET, RESUME_TOKEN_BYTES } from '../../protocol/limits.ts';
import { Emitter } from './emitter.ts';
import { ShareError, cancelledError, toShareError } from './errors.ts';
import { Semaphore } from './flow.ts';
import { checkSessionId, performJoin } from './join.ts';
import { planFile, planText, type OutgoingPlan } from './outgoing.ts';
import { Receiver } from './receiver.ts';
import { createSocket, request, type ClientSocket } from './socket.ts';
import { resolveOptions, type ResolvedOptions } from './options.ts';
import { upload } from './upload.ts';
import { UploadRegistry } from './upload-registry.ts';
import { wire } from './wiring.ts';
import type {
  FileData, JoinInfo, PendingShare, ShareClientEvents, ShareClientOptions, ShareFileOptions, ShareResult, ShareTextOptions,
} from './types.ts';

type Session = { sessionId: string; keys: SessionKeys };

const random = (bytes: number) => globalThis.crypto.getRandomValues(new Uint8Array(bytes));

export class ShareClient extends Emitter<ShareClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #socket: ClientSocket;
  /** Chunks in flight, shared by every upload so memory is bounded per client, not per item. */
  readonly #window: Semaphore;
  /** The server refuses more than this many unfinished uploads per connection: queue instead. */
  readonly #uploadSlots = new Semaphore(MAX_UPLOADS_PER_SOCKET);
  readonly #uploads = new UploadRegistry();
  readonly #receiver: Receiver;
  /** Joined; shares go here. */
  #session: Session | undefined;
  /** What incoming items are decrypted for; set before the join ack, since items may arrive first. */
  #receiving: Session | undefined;
  /** The connection the session was last joined on, so a reconnection is told from the first connect. */
  #joinedOn: string | undefined;
  /** Joins and leaves run one at a time. */
  #serial: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ShareClientOptions) {
    super();
    this.#options = resolveOptions(options, deriveSessionKeys);
    this.#window = new Semaphore(this.#options.window);
    this.#socket = createSocket(options.url, options.socketOptions);
    this.#receiver = new Receiver({
      session: () => this.#receiving,
      item: (item) => this.emit('content', item),
      progress: (progress) => this.emit('progress', progress),
      error: (error) => this.emit('error', error),
      cancelled: (contentId, code) => this.emit('content-cancelled', { contentId, code }),
      removed: (contentId) => this.emit('content-removed', { contentId }),
      cleared: () => this.emit('content-cleared', undefined),
      stallTimeoutMs: this.#options.stallTimeoutMs,
    });
    wire(this.#socket, {
      receiver: this.#receiver,
      sessionId: () => this.#receiving?.sessionId,
      emit: (event, payload) => this.emit(event, payload),
      connected: () => this.#onConnect(),
      disconnected: (reason) => this.#onDisconnect(reason),
    });
  }

  /** This connection's id as the other members see it (changes on reconnection). */
  get id(): string | undefined {
    return this.#socket.id;
  }
  get sessionId(): string | undefined {
    return this.#session?.sessionId;
  }
  get fingerprint(): string | undefined {
    return this.#session?.keys.fingerprint;
  }
  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Joins (or creates) a session; leaves the current one first if it is another. */
  join(sessionId: string, passphrase: string): Promise<JoinInfo> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      checkSessionId(sessionId);
      if (this.#session && this.#session.sessionId !== sessionId) await this.#leaveNow();
      let keys: SessionKeys;
      try {
        keys = await this.#options.deriveKeys(sessionId, passphrase);
      } catch (error) {
        throw toShareError(error, 'INVALID_PAYLOAD');
      }
      const previous = this.#receiving;
      this.#receiving = { sessionId, keys };
      try {
        const outcome = await performJoin(this.#socket, sessionId, this.#options.clientName, keys, this.#options.requestTimeoutMs);
        this.#session = this.#receiving;
        this.#joinedOn = this.#socket.id;
        return { ...outcome, fingerprint: keys.fingerprint };
      } catch (error) {
        this.#receiving = previous;
        throw error;
      }
    });
  }

  shareText(text: string, options: ShareTextOptions = {}): PendingShare {
    return this.#share(options.signal, () => planText(text, options.name ?? '', this.#options.chunkSize));
  }

  shareFile(data: FileData, options: ShareFileOptions): PendingShare {
    return this.#share(options?.signal, () => planFile(data, options, this.#options.chunkSize));
  }

  /**
   * Cancels an upload of ours (the others are told) or drops an item being
   * received. False when there is nothing (left) to cancel.
   */
  cancel(contentId: string): boolean {
    return this.#uploads.cancel(contentId) ?? this.#receiver.discard(contentId);
  }

  /** Leaves the session: uploads are cancelled, items still arriving fail with CANCELLED. */
  leave(): Promise<void> {
    return this.#exclusive(() => this.#leaveNow());
  }

  /** Disconnects for good. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#uploads.abortAll(cancelledError(undefined, 'The client was closed'));
    this.#receiver.failAll(cancelledError(undefined, 'The client was closed'));
    this.#session = this.#receiving = undefined;
    this.#socket.disconnect();
  }

  #share(signal: AbortSignal | undefined, plan: () => OutgoingPlan): PendingShare {
    const contentId = base64urlEncode(random(16)); // 128 random bits: unguessable, never reused
    const promise = this.#runShare(contentId, signal, plan);
    const upload = this.#uploads.get(contentId);
    if (upload) upload.done = promise.catch(() => {});
    return Object.assign(promise, { contentId });
  }

  async #runShare(contentId: string, signal: AbortSignal | undefined, plan: () => OutgoingPlan): Promise<ShareResult> {
    this.#assertOpen();
    const session = this.#session;
    if (!session) throw new ShareError('NOT_IN_SESSION', 'Join a session first', { contentId });
    if (signal?.aborted) throw cancelledError(contentId);
    const { descriptor, totalChunks, source } = plan();
    const record = this.#uploads.add(contentId, totalChunks > 0 ? random(RESUME_TOKEN_BYTES) : undefined);
    const onAbort = () => this.cancel(contentId);
    signal?.addEventListener('abort', onAbort, { once: true });
    let slot = false;
    try {
      if (totalChunks > 0) {
        await this.#uploadSlots.acquire(record.controller.signal);
        slot = true;
      }
      const target = { ...this.#options, socket: this.#socket, sessionId: session.sessionId, keys: session.keys, window: this.#window };
      await upload(target, {
        contentId, descriptor, totalChunks, source,
        resumeToken: record.resumeToken,
        signal: record.controller.signal,
        onProgress: (bytes) => this.emit('progress', { contentId, direction: 'upload', bytes, total: descriptor.size }),
        onAllSent: () => (record.cancellable = false),
      });
      return { contentId };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#uploads.delete(contentId);
      if (slot) this.#uploadSlots.release();
      if (!slot) void source?.close();
    }
  }

  async #leaveNow(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    // Their cancel-content must reach the server before the leave does.
    await Promise.all(this.#uploads.abortAll(cancelledError(undefined, 'Left the session')));
    this.#session = this.#receiving = this.#joinedOn = undefined;
    this.#uploads.clearInterrupted();
    this.#receiver.failAll(cancelledError(undefined, 'Left the session'));
    if (this.#socket.connected) {
      await request(this.#socket, 'leave', { sessionId: session.sessionId }, this.#options.requestTimeoutMs).catch(() => {});
    }
  }

  #onConnect(): void {
    this.emit('connect', undefined);
    if (this.#session && this.#socket.id !== this.#joinedOn) void this.#rejoin(this.#session);
  }

  #onDisconnect(reason: string): void {
    const lost = new ShareError('UNAVAILABLE', 'The connection to the server was lost');
    this.#uploads.interruptAll(lost); // the server keeps them for a resume: settled after re-joining
    this.#receiver.failAll(lost);
    this.emit('disconnect', { reason });
  }

  /** After a reconnection: join again with the kept keys, then settle the uploads the drop cut short. */
  #rejoin(session: Session): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#session !== session || !this.#socket.connected || this.#socket.id === this.#joinedOn) return;
      try {
        const { sessionId, keys } = session;
        const outcome = await performJoin(this.#socket, sessionId, this.#options.clientName, keys, this.#options.requestTimeoutMs);
        this.#joinedOn = this.#socket.id;
        this.emit('rejoin', { ...outcome, fingerprint: keys.fingerprint });
        for (const [contentId, resumeToken] of this.#uploads.takeInterrupted()) {
          await this.#abandon(sessionId, contentId, resumeToken);
        }
      } catch (error) {
        const failure = toShareError(error, 'UNAVAILABLE');
        // The session now has another passphrase (it expired and was re-created): we are out of it.
        if (failure.code === 'UNAUTHORIZED') this.#session = this.#receiving = this.#joinedOn = undefined;
        this.emit('error', failure);
      }
    });
  }

  /** Takes an interrupted upload back (resume token) and cancels it if incomplete, so receivers stop waiting. */
  async #abandon(sessionId: string, contentId: string, resumeToken: Uint8Array): Promise<void> {
    const timeout = this.#options.requestTimeoutMs;
    try {
      const { missing } = await request(this.#socket, 'resume-upload', { sessionId, contentId, resumeToken }, timeout);
      if (missing.length > 0) await request(this.#socket, 'cancel-content', { sessionId, contentId }, timeout);
    } catch {
      // Never announced, already complete, or already discarded by the server: nothing to settle.
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work, work);
    this.#serial = run.catch(() => {});
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShareError('UNAVAILABLE', 'This client was closed');
  }
}
