/**
 * ShareClient: one device's membership in one session. Keys are derived once
 * per join and kept (in memory) for the session, so a reconnection re-joins
 * without asking for the passphrase again; then interrupted uploads resume
 * (exactly the chunks the server lacks) and items being received fetch what
 * they missed.
 */
import { base64urlEncode, deriveSessionKeys, encryptName, sanitizeName, type SessionKeys } from '../../protocol/crypto/index.ts';
import { ID_MAX_LENGTH, ID_PATTERN, MAX_HISTORY_PAGE, MAX_UPLOADS_PER_SOCKET, RESUME_TOKEN_BYTES } from '../../protocol/limits.ts';
import { affinityKey } from './affinity.ts';
import { Emitter } from './emitter.ts';
import { ShareError, cancelledError, toShareError } from './errors.ts';
import { Gate, Semaphore, onAbort } from './flow.ts';
import type { TransferContext } from './incoming-transfer.ts';
import { checkSessionId, performJoin, type JoinOutcome } from './join.ts';
import { planFile, planText, type OutgoingPlan } from './outgoing.ts';
import { ProgressThrottle } from './progress.ts';
import { Receiver } from './receiver.ts';
import { connectError, createSocket, request, requestPaced, type ClientSocket } from './socket.ts';
import { retrySoonAfterShutdown } from './restart-pacing.ts';
import { resolveOptions, type ResolvedOptions } from './options.ts';
import { upload } from './upload.ts';
import { UploadRegistry } from './upload-registry.ts';
import { wire } from './wiring.ts';
import type {
  FileData, HistoryOptions, HistoryPage, JoinInfo, PendingShare, ShareClientEvents, ShareClientOptions, ShareFileOptions,
  ShareResult, ShareTextOptions,
} from './types.ts';

type Session = { sessionId: string; keys: SessionKeys };

const random = (bytes: number) => globalThis.crypto.getRandomValues(new Uint8Array(bytes));
const EMPTY_PAGE = { items: [], hasMore: false };
/** After `resync`, a client re-joins within this long (at random, so a node's clients do not all at once). */
const RESYNC_SPREAD_MS = 1000;

export class ShareClient extends Emitter<ShareClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #socket: ClientSocket;
  /** Chunks in flight, shared by every upload so memory is bounded per client, not per item. */
  readonly #window: Semaphore;
  /** fetch-chunk requests in flight, shared by every item being read. */
  readonly #fetchSlots: Semaphore;
  /** The server refuses more than this many unfinished uploads per connection: queue instead. */
  readonly #uploadSlots = new Semaphore(MAX_UPLOADS_PER_SOCKET);
  readonly #uploads = new UploadRegistry();
  readonly #receiver: Receiver;
  readonly #progress: ProgressThrottle;
  /** Open while the session is joined on the current connection: uploads and fetches wait for it. */
  readonly #gate = new Gate();
  /** Joined; shares go here. */
  #session: Session | undefined;
  /** What incoming items are decrypted for; set before the join ack, since items may arrive first. */
  #receiving: Session | undefined;
  #context: { session: Session; context: TransferContext } | undefined;
  /** The connection the session was last joined on, so a reconnection is told from the first connect. */
  #joinedOn: string | undefined;
  /** Counts lost connections: a request that fails after it changed was interrupted, not refused. */
  #connection = 0;
  /** Aborted when the current connection is lost. */
  #connectionLost = new AbortController();
  /** Joins and leaves run one at a time. */
  #serial: Promise<unknown> = Promise.resolve();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopRestartPacing: () => void;
  #closed = false;

  constructor(options: ShareClientOptions) {
    super();
    this.#options = resolveOptions(options, deriveSessionKeys);
    this.#window = new Semaphore(this.#options.window);
    this.#fetchSlots = new Semaphore(this.#options.fetchWindow);
    this.#socket = createSocket(options.url, options);
    this.#progress = new ProgressThrottle(this.#options.progressIntervalMs, (progress) => this.emit('progress', progress));
    this.#receiver = new Receiver({
      session: () => this.#receiving,
      context: () => this.#transferContext(),
      item: (item) => this.emit('content', item),
      progress: (progress) => this.#progress.report(progress),
      error: (error) => this.emit('error', error),
      cancelled: (contentId, code) => {
        this.#progress.forget(contentId, 'download');
        this.emit('content-cancelled', { contentId, code });
      },
      removed: (contentId) => this.emit('content-removed', { contentId }),
      cleared: () => this.emit('content-cleared', {}),
      updated: (update) => this.emit('content-updated', update),
      completed: (contentId) => this.emit('content-complete', { contentId }),
      uploadProgress: (progress) => this.emit('upload-progress', progress),
      prefetchBytes: this.#options.prefetchBytes,
    });
    wire(this.#socket, {
      receiver: this.#receiver,
      sessionId: () => this.#receiving?.sessionId,
      emit: (event, payload) => this.emit(event, payload),
      connected: () => this.#onConnect(),
      disconnected: (reason) => this.#onDisconnect(reason),
      connectFailed: (error) => this.#onConnectError(error),
      reconnectFailed: () => this.#onReconnectFailed(),
      removed: (contentId) => this.#stopOwnUploads(contentId),
      // Every client of a node hears it at once: spread their re-joins over a second.
      resync: () => {
        const session = this.#session;
        if (!session) return;
        this.#later(Math.random() * RESYNC_SPREAD_MS, () => {
          if (this.#session === session && this.#socket.connected) void this.#rejoin(session, { again: true });
        });
      },
    });
    this.#stopRestartPacing = retrySoonAfterShutdown(this.#socket);
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

  /**
   * Joins (or creates) a session; leaves the current one first if it is
   * another. With `create: false` a session that does not exist is refused
   * (NOT_FOUND) instead of created: for an id a person typed.
   */
  join(sessionId: string, passphrase: string, options: { create?: boolean } = {}): Promise<JoinInfo> {
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
      // Before the first connection: the load balancer then routes it (and its reconnections) by session.
      if (!this.#socket.active) {
        this.#socket.io.opts.query = { ...(this.#socket.io.opts.query as Record<string, string> | undefined), affinity: await affinityKey(sessionId) };
      }
      const previous = this.#receiving;
      const session = { sessionId, keys };
      this.#receiving = session;
      this.#receiver.begin(sessionId);
      if (this.#session?.sessionId !== sessionId) this.#gate.reset();
      try {
        const outcome = await performJoin(this.#socket, sessionId, this.#options.clientName, keys, this.#options.requestTimeoutMs, options.create !== false);
        this.#session = session;
        this.#joinedOn = this.#socket.id;
        return await this.#settleJoin(session, outcome);
      } catch (error) {
        if (this.#session !== session) this.#receiving = previous;
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
   * A page of the session's stored items (pinned first, then newest first),
   * as the same kind of item the `content` event gives. Pass the last item's
   * contentId as `before` for the next page. Chunks are fetched when read.
   */
  async history(options: HistoryOptions = {}): Promise<HistoryPage> {
    const session = this.#requireSession();
    const { before, limit } = options ?? {};
    if (before !== undefined && (typeof before !== 'string' || before.length > ID_MAX_LENGTH || !ID_PATTERN.test(before))) {
      throw new ShareError('INVALID_PAYLOAD', 'before must be a content id');
    }
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE)) {
      throw new ShareError('INVALID_PAYLOAD', `limit must be an integer in 1..${MAX_HISTORY_PAGE}`);
    }
    this.#requireJoined();
    const payload = { sessionId: session.sessionId, ...(before !== undefined ? { before } : {}), ...(limit !== undefined ? { limit } : {}) };
    const page = await requestPaced(this.#socket, 'list-content', payload, this.#options.requestTimeoutMs);
    return this.#receiver.adopt(page);
  }

  /** Deletes an item for everyone (`content-removed` for the others). One of ours still uploading is stopped (CANCELLED). */
  async remove(contentId: string): Promise<void> {
    const session = this.#requireSession();
    this.#requireJoined();
    const own = this.#uploads.get(contentId);
    if (own) {
      // Stopping it may already delete it (cancel-content): then there is nothing left to remove.
      own.controller.abort(cancelledError(contentId, 'The item was removed'));
      await own.done;
    }
    try {
      await request(this.#socket, 'remove-content', { sessionId: session.sessionId, contentId }, this.#options.requestTimeoutMs, contentId);
    } catch (error) {
      if (!own || !(error instanceof ShareError) || error.code !== 'NOT_FOUND') throw error;
    }
    this.#receiver.forget(contentId);
  }

  /** Pins (first in history for everyone) or unpins an item. */
  async pin(contentId: string, pinned: boolean): Promise<void> {
    const session = this.#requireSession();
    if (typeof pinned !== 'boolean') throw new ShareError('INVALID_PAYLOAD', 'pinned must be true or false');
    this.#requireJoined();
    const { item } = await request(this.#socket, 'pin-content', { sessionId: session.sessionId, contentId, pinned }, this.#options.requestTimeoutMs, contentId);
    await this.#receiver.applyUpdate(item);
  }

  /** Renames an item for everyone; the name is encrypted (the server never sees it). */
  async rename(contentId: string, name: string): Promise<void> {
    const session = this.#requireSession();
    if (typeof name !== 'string') throw new ShareError('INVALID_PAYLOAD', 'name must be a string');
    let sealed;
    try {
      sealed = await encryptName(session.keys.metadataKey, session.sessionId, contentId, sanitizeName(name));
    } catch (error) {
      throw toShareError(error, 'INVALID_PAYLOAD', contentId);
    }
    this.#requireJoined();
    const payload = { sessionId: session.sessionId, contentId, encryptedName: sealed.encryptedData, iv: sealed.iv };
    const { item } = await request(this.#socket, 'rename-content', payload, this.#options.requestTimeoutMs, contentId);
    await this.#receiver.applyUpdate(item);
  }

  /** Deletes every item of the session for everyone (`content-cleared`); resolves with how many were removed. */
  async clear(): Promise<number> {
    const session = this.#requireSession();
    // Our unfinished uploads go with everything else: stop them first, as cancelled.
    this.#requireJoined();
    await Promise.all(this.#uploads.abortAll(cancelledError(undefined, 'The session was cleared')));
    this.#requireJoined();
    const { removed } = await request(this.#socket, 'clear-content', { sessionId: session.sessionId }, this.#options.requestTimeoutMs);
    this.#receiver.clearAll();
    return typeof removed === 'number' ? removed : 0;
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
    clearTimeout(this.#retry);
    this.#stopRestartPacing();
    this.#endSession(cancelledError(undefined, 'The client was closed'));
    this.#socket.disconnect();
  }

  async #settleJoin(session: Session, outcome: JoinOutcome): Promise<JoinInfo> {
    this.#receiver.members(outcome.clients);
    const history = await this.#receiver.adopt(outcome.history ?? EMPTY_PAGE).catch((error: unknown) => {
      this.emit('error', toShareError(error, 'INTERNAL'));
      return { items: [], hasMore: false };
    });
    if (this.#session === session && this.#joinedOn === this.#socket.id && this.#socket.connected) {
      this.#gate.open();
      this.#receiver.link(true);
    }
    const { clients, created, quota } = outcome;
    return { clients, created, quota, fingerprint: session.keys.fingerprint, history };
  }

  #requireSession(): Session {
    this.#assertOpen();
    if (!this.#session) throw new ShareError('NOT_IN_SESSION', 'Join a session first');
    return this.#session;
  }

  /** Item operations need the session joined on this connection; while reconnecting they fail at once. */
  #requireJoined(): void {
    if (!this.#gate.isOpen) throw new ShareError('UNAVAILABLE', 'Not connected to the session (reconnecting); try again');
  }

  #transferContext(): TransferContext | undefined {
    const session = this.#receiving;
    if (!session) return undefined;
    if (this.#context?.session === session) return this.#context.context;
    const { sessionId } = session;
    const context: TransferContext = {
      sessionId,
      keys: session.keys,
      chunkCipher: this.#options.chunkCipher,
      ready: (signal) => this.#ready(session, signal),
      fetchChunk: async (contentId, chunkIndex, signal) => {
        const payload = { sessionId, contentId, chunkIndex };
        return (await requestPaced(this.#socket, 'fetch-chunk', payload, this.#options.requestTimeoutMs, signal, contentId)).chunk;
      },
      fetchSlots: this.#fetchSlots,
      receiveBufferBytes: this.#options.receiveBufferBytes,
      stallTimeoutMs: this.#options.stallTimeoutMs,
    };
    this.#context = { session, context };
    return context;
  }

  /** Resolves once `session` is joined on the current connection; rejects once it is over. */
  #ready(session: Session, signal: AbortSignal): Promise<void> {
    if (this.#session !== session && this.#receiving !== session) {
      return Promise.reject(new ShareError('NOT_IN_SESSION', 'No longer in this session'));
    }
    return this.#gate.ready(signal);
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
    const record = this.#uploads.add(contentId, random(RESUME_TOKEN_BYTES)); // every upload: 32 random bytes, kept here
    this.#receiver.markOwn(contentId);
    // One listener per share on a signal the caller may give many shares.
    const unlink = signal ? onAbort(signal, () => this.cancel(contentId)) : () => {};
    let slot = false;
    try {
      if (totalChunks > 0) {
        await this.#uploadSlots.acquire(record.controller.signal);
        slot = true;
      }
      const target = {
        ...this.#options,
        socket: this.#socket,
        sessionId: session.sessionId,
        keys: session.keys,
        window: this.#window,
        ready: (abort: AbortSignal) => this.#ready(session, abort),
        connection: () => this.#connection,
        connectionSignal: () => this.#connectionLost.signal,
      };
      await upload(target, {
        contentId, descriptor, totalChunks, source,
        resumeToken: record.resumeToken,
        signal: record.controller.signal,
        onProgress: (bytes) => this.#progress.report({ contentId, direction: 'upload', bytes, total: descriptor.size }),
        onAllSent: () => (record.cancellable = false),
        onSending: () => (record.cancellable = true),
        onAbandoned: () => {
          if (this.#session === session) this.#uploads.noteAbandoned(contentId);
        },
      });
      return { contentId };
    } catch (error) {
      this.#progress.forget(contentId, 'upload');
      throw error;
    } finally {
      unlink();
      this.#uploads.delete(contentId);
      if (slot) this.#uploadSlots.release();
      if (!slot) void source?.close();
    }
  }

  /** Another member removed (or cleared) items: our uploads of them are over, as cancelled. */
  #stopOwnUploads(contentId: string | undefined): void {
    const reason = (id: string) => cancelledError(id, contentId ? 'The item was removed' : 'The session was cleared');
    if (contentId !== undefined) {
      this.#uploads.get(contentId)?.controller.abort(reason(contentId));
    } else {
      this.#uploads.abortAll(cancelledError(undefined, 'The session was cleared'));
    }
  }

  async #leaveNow(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    // Their cancel-content must reach the server before the leave does.
    await Promise.all(this.#uploads.abortAll(cancelledError(undefined, 'Left the session')));
    this.#endSession(cancelledError(undefined, 'Left the session'));
    if (this.#socket.connected) {
      await request(this.#socket, 'leave', { sessionId: session.sessionId }, this.#options.requestTimeoutMs).catch(() => {});
    }
  }

  /** The session is over for this client: everything waiting on it fails with `error`. */
  #endSession(error: ShareError): void {
    this.#session = this.#receiving = this.#joinedOn = undefined;
    this.#uploads.abortAll(error);
    this.#uploads.clearAbandoned();
    this.#receiver.failAll(error);
    this.#progress.clear();
    this.#gate.fail(error);
  }

  #onConnect(): void {
    this.emit('connect', undefined);
    if (this.#session && this.#socket.id !== this.#joinedOn) void this.#rejoin(this.#session);
  }

  #onDisconnect(reason: string): void {
    this.#connection++;
    const lost = this.#connectionLost;
    this.#connectionLost = new AbortController();
    lost.abort(new ShareError('UNAVAILABLE', 'The connection to the server was lost'));
    this.#gate.close();
    this.#receiver.link(false);
    this.emit('disconnect', { reason });
    // socket.io reconnects by itself except after these; then the session cannot come back on its own.
    const automatic = this.#socket.io.reconnection() && this.#socket.active && reason !== 'io server disconnect';
    if (this.#session && !this.#closed && !automatic) {
      this.#rejoinFailed(new ShareError('UNAVAILABLE', `The server closed the connection (${reason})`));
    }
  }

  #onConnectError(error: Error): void {
    const failure = connectError(error);
    if (error?.message === 'timeout') this.emit('connection-timeout', undefined);
    else this.emit('connection-error', failure);
    // Refused by the server (access token, rate limit): socket.io does not retry on its own.
    if (!this.#session || this.#closed || this.#socket.active) return;
    if (failure.code === 'RATE_LIMITED') {
      this.#later(failure.retryAfterMs ?? 1000, () => {
        if (this.#session && !this.#closed && !this.#socket.active) this.#socket.connect();
      });
    } else {
      this.#rejoinFailed(failure);
    }
  }

  #onReconnectFailed(): void {
    if (this.#session && !this.#closed) this.#rejoinFailed(new ShareError('UNAVAILABLE', 'Could not reconnect to the server'));
  }

  #rejoinFailed(error: ShareError): void {
    this.#endSession(error);
    this.emit('session-rejoin-failed', { error });
    this.emit('error', error);
  }

  /**
   * After a reconnection: join again with the kept keys, catch up, then let
   * uploads and fetches go on. `again`: on the same connection, when the
   * server says it may have missed changes (`resync`).
   */
  #rejoin(session: Session, options: { again?: boolean } = {}): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#session !== session || !this.#socket.connected) return;
      if (this.#socket.id === this.#joinedOn && !options.again) return;
      const { sessionId, keys } = session;
      let outcome: JoinOutcome;
      try {
        outcome = await performJoin(this.#socket, sessionId, this.#options.clientName, keys, this.#options.requestTimeoutMs);
      } catch (error) {
        const failure = toShareError(error, 'UNAVAILABLE');
        if (this.#session !== session) return;
        if (failure.code === 'UNAVAILABLE' || failure.code === 'RATE_LIMITED') {
          // Dropped again (the next connection re-joins), or too soon: try again on this connection later.
          const wait = failure.code === 'RATE_LIMITED' ? failure.retryAfterMs ?? 1000 : 1000;
          this.#later(wait, () => {
            if (this.#session === session && this.#socket.connected) void this.#rejoin(session, options);
          });
          return;
        }
        // E.g. UNAUTHORIZED: the session expired and was re-created with another passphrase.
        this.#rejoinFailed(failure);
        return;
      }
      const connection = this.#socket.id;
      this.#joinedOn = connection;
      this.#receiver.members(outcome.clients);
      try {
        const list = (before: string) =>
          requestPaced(this.#socket, 'list-content', { sessionId, before, limit: MAX_HISTORY_PAGE }, this.#options.requestTimeoutMs);
        await this.#receiver.reconcile(outcome.history ?? EMPTY_PAGE, list);
      } catch {
        // Dropped while catching up: the next connection does it again.
      }
      if (this.#session !== session || this.#socket.id !== connection) return;
      const info = await this.#settleJoin(session, outcome);
      this.emit('session-rejoined', { sessionId, clients: outcome.clients });
      this.emit('rejoin', info);
      for (const [contentId, resumeToken] of this.#uploads.takeAbandoned()) {
        await this.#abandon(sessionId, contentId, resumeToken);
      }
    });
  }

  /** Takes an abandoned upload back (resume token) and cancels it if incomplete, so receivers stop waiting. */
  async #abandon(sessionId: string, contentId: string, resumeToken: Uint8Array): Promise<void> {
    const timeout = this.#options.requestTimeoutMs;
    try {
      const { missing } = await request(this.#socket, 'resume-upload', { sessionId, contentId, resumeToken }, timeout);
      if (missing.length > 0) await request(this.#socket, 'cancel-content', { sessionId, contentId }, timeout);
    } catch {
      // Never announced, already complete, or already discarded by the server: nothing to settle.
    }
  }

  /** A server-stated (or reconnection-delay) wait, cancelled by close(). */
  #later(ms: number, work: () => void): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closed) work();
    }, Math.max(10, ms));
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

