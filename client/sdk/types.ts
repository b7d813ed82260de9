/** Public types of the SDK (see index.ts). */
import type { ChunkCipher } from './chunk-cipher.ts';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { ClientInfo, QuotaInfo } from '../../protocol/events.ts';
import type { ContentKind, SessionKeys } from '../../protocol/crypto/index.ts';
import type { ShareError } from './errors.ts';

export type { ClientInfo, ContentKind, QuotaInfo, SessionKeys };

/** Turns (sessionId, passphrase) into session keys; the slow PBKDF2 step may run in a Worker. */
export type DeriveKeys = (sessionId: string, passphrase: string) => Promise<SessionKeys>;

export interface ShareClientOptions {
  /** Server origin, e.g. "https://share.example.org" (Socket.IO path is /socket.io/). */
  url: string;
  /** Display name shown to the other members (1..64 characters). */
  clientName: string;
  /** For private servers (ACCESS_TOKEN): sent in the handshake as the query parameter `accessToken` and as `auth: { accessToken }`. */
  accessToken?: string;
  /** Defaults to deriveSessionKeys (600,000 PBKDF2 iterations, on the calling thread). */
  deriveKeys?: DeriveKeys;
  /** How chunks are sealed and opened: WebCrypto by default; the Node entry's ShareClient uses node:crypto (same bytes). */
  chunkCipher?: ChunkCipher;
  /** Plaintext bytes per chunk, 1..1 MiB. Default 512 KiB (options.ts says why). */
  chunkSize?: number;
  /** Chunks sent but not yet acknowledged by the server, across all uploads. Default 16. */
  window?: number;
  /** fetch-chunk requests in flight, across all items being read. Default 16. */
  fetchWindow?: number;
  /**
   * Decrypted chunks one item may hold ahead of its reader (pushed or fetched),
   * in bytes. Chunks pushed beyond it are verified, dropped and fetched again
   * when the reader gets there, so a slow (or absent) reader costs at most this
   * much memory per item. Default 16 MiB.
   */
  receiveBufferBytes?: number;
  /** History items up to this size are fetched at once; larger ones when read. Default 256 KiB. */
  prefetchBytes?: number;
  /** Progress events per transfer are at most one per this many ms (plus the final one). Default 100. */
  progressIntervalMs?: number;
  /** Time allowed for join, content and cancel acknowledgements. Default 20 s. */
  requestTimeoutMs?: number;
  /**
   * Time allowed for one chunk's acknowledgement. A chunk may wait behind a
   * full window on a slow uplink, hence longer. Default 120 s.
   */
  chunkAckTimeoutMs?: number;
  /**
   * An incoming item whose sender is connected but sends nothing for this
   * long is failed as incomplete (INTEGRITY). Items the server holds in full,
   * or whose sender has dropped (it may resume), are never failed by it.
   * Default 120 s; 0 turns it off.
   */
  stallTimeoutMs?: number;
  /** Reconnect automatically after a lost connection (then re-join and resume). Default true. */
  reconnection?: boolean;
  /** Reconnection attempts before giving up (`session-rejoin-failed`). Default Infinity. */
  reconnectionAttempts?: number;
  /** First delay between attempts, doubled up to reconnectionDelayMax (ms). Defaults 1000 and 5000. */
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  /** Time allowed for one connection attempt (ms); past it, `connection-timeout`. Default 20 s. */
  timeout?: number;
  /** Passed to socket.io-client last, on top of everything above (transports, agent, ...). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface JoinInfo {
  /** Everyone in the session, this client included. */
  clients: ClientInfo[];
  /** True when this join created the session. */
  created: boolean;
  /** The session key fingerprint, for people to compare out of band. */
  fingerprint: string;
  /** The session's storage limits and use. */
  quota: QuotaInfo;
  /** The first page of stored items (pinned first, then newest first); history() pages on. */
  history: HistoryPage;
}

/** A page of stored items, pinned first, then newest first. */
export interface HistoryPage {
  items: ReceivedItem[];
  /** More items are older than this page: pass `before` = the last item's contentId. */
  hasMore: boolean;
}

export interface HistoryOptions {
  /** The contentId of the last item of the previous page; omitted for the first page. */
  before?: string;
  /** 1..200, default 50. */
  limit?: number;
}

export interface ShareTextOptions {
  /** A label for the text; empty by default. */
  name?: string;
  signal?: AbortSignal;
}

export interface ShareFileOptions {
  name: string;
  /** MIME type; "image/..." makes the item an image. Non-printable-ASCII types are sent as unknown (""). */
  type: string;
  /** Required for an AsyncIterable (the chunk count is bound into every chunk); checked for the others. */
  size?: number;
  /** Pixel dimensions, images only (both or neither). */
  width?: number;
  height?: number;
  signal?: AbortSignal;
}

/**
 * What shareFile accepts; each is read one chunk at a time. Blobs and byte
 * arrays can be read again, so their uploads resume after a lost connection;
 * an async iterable cannot, so its upload fails with UNAVAILABLE instead.
 */
export type FileData = Blob | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array>;

export interface ShareResult {
  contentId: string;
}

/** A share in progress: its id is known at once, so it can be cancelled or shown before it finishes. */
export type PendingShare = Promise<ShareResult> & { readonly contentId: string };

export interface Progress {
  contentId: string;
  direction: 'upload' | 'download';
  /** Plaintext bytes acknowledged by the server (upload) or received and verified (download). */
  bytes: number;
  total: number;
}

/**
 * An item another member shared, live or from history. Reading it is
 * exclusive: see the method notes. Chunks the client does not hold (history,
 * missed while disconnected, deferred by the server) are fetched on demand
 * by the readers, a window at a time, and verified like pushed ones.
 */
export interface ReceivedItem {
  readonly contentId: string;
  readonly senderId: string;
  readonly senderName: string;
  /** Server time (ms since the epoch) when the item was announced. */
  readonly timestamp: number;
  readonly kind: ContentKind;
  /** The current name: the latest rename, else the descriptor's. */
  readonly name: string;
  readonly mimeType: string;
  /** Exact plaintext size in bytes. */
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
  /** Pinned items come first in history. */
  readonly pinned: boolean;
  /** Every chunk is available: stored by the server (upload finished) or verified here. */
  readonly complete: boolean;
  /**
   * Resolves once the item is complete (see `complete`); rejects if it never
   * will be (cancelled, removed, failed verification). Chunks not yet held
   * are verified when read: a reader can still fail with INTEGRITY.
   */
  readonly received: Promise<void>;
  /** Decrypted bytes waiting for a reader (released as they are read). */
  readonly bufferedBytes: number;
  /** The whole item as UTF-8 text (cached, via bytes()). */
  text(): Promise<string>;
  /** The whole item in one buffer; cached, so it can be called again. Shared: copy before mutating. */
  bytes(): Promise<Uint8Array>;
  /**
   * Plaintext chunks in order, each released once read. One live reader; after bytes() it replays the cache.
   * With `offset`, from that byte on: chunks before it are not fetched (resuming a partial download).
   */
  stream(options?: StreamOptions): AsyncGenerator<Uint8Array, void, undefined>;
  /** stream() as a WHATWG ReadableStream (e.g. for a Response or a file writer). */
  readable(): ReadableStream<Uint8Array>;
  /** Drops buffered and future chunks; readers then reject with CANCELLED. */
  discard(): void;
}

export interface StreamOptions {
  /** The first byte to read, 0..size (default 0). */
  offset?: number;
}

export interface ContentUpdate {
  contentId: string;
  pinned: boolean;
  /** The decrypted current name. */
  name: string;
}

/** How far another member's upload has got on the server (also for items from history still uploading). */
export interface UploadProgress {
  contentId: string;
  /** Chunks the server holds. */
  receivedChunks: number;
  totalChunks: number;
}

export interface ShareClientEvents {
  content: ReceivedItem;
  progress: Progress;
  'client-joined': ClientInfo;
  'client-left': { id: string };
  /** An item being received was stopped by its sender (or the server). */
  'content-cancelled': { contentId: string; code: ShareError['code'] };
  /** A member removed an item (history); one still arriving also fails with CANCELLED. */
  'content-removed': { contentId: string };
  /** A member cleared the session's items. */
  'content-cleared': Record<string, never>;
  /** A member pinned, unpinned or renamed an item. */
  'content-updated': ContentUpdate;
  /** An upload (anyone's) is progressing on the server; at most 4 a second per item, and may skip some. */
  'upload-progress': UploadProgress;
  /** The server holds every chunk of an item (someone else's, or one of ours). */
  'content-complete': { contentId: string };
  /** Integrity failures, server `error` events, failed automatic re-joins. */
  error: ShareError;
  connect: undefined;
  disconnect: { reason: string };
  /** A connection attempt was refused or failed; `code` is the server's (UNAUTHORIZED, RATE_LIMITED) when it gave one. */
  'connection-error': ShareError;
  /** A connection attempt took longer than the `timeout` option. */
  'connection-timeout': undefined;
  /** socket.io is trying to reconnect (1, 2, ...); see the reconnectionAttempts option. */
  'reconnect-attempt': { attempt: number };
  /** After a reconnection, the session was joined again with the kept keys (the seed's event). */
  'session-rejoined': { sessionId: string; clients: ClientInfo[] };
  /** The automatic re-join failed for good (e.g. UNAUTHORIZED: the session expired and was re-created with another passphrase). */
  'session-rejoin-failed': { error: ShareError };
  /** Same moment as session-rejoined, with everything a join returns (history included). */
  rejoin: JoinInfo;
}
