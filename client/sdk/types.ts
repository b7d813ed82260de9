/** Public types of the SDK (see index.ts). */
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
  /** Defaults to deriveSessionKeys (600,000 PBKDF2 iterations, on the calling thread). */
  deriveKeys?: DeriveKeys;
  /** Plaintext bytes per chunk, 1..1 MiB. Default 256 KiB. */
  chunkSize?: number;
  /** Chunks sent but not yet acknowledged by the server, across all uploads. Default 16. */
  window?: number;
  /** Time allowed for join, content and cancel acknowledgements. Default 20 s. */
  requestTimeoutMs?: number;
  /**
   * Time allowed for one chunk's acknowledgement. A chunk may wait behind a
   * full window on a slow uplink, hence longer. Default 120 s.
   */
  chunkAckTimeoutMs?: number;
  /**
   * An incoming item that gets no chunk for this long is failed as
   * incomplete (INTEGRITY): the protocol has no end-of-item message. Default 120 s; 0 turns it off.
   */
  stallTimeoutMs?: number;
  /** Passed to socket.io-client on top of the defaults (reconnection, transports, timeouts). */
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

/** What shareFile accepts; each is read one chunk at a time. */
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

/** An item another member shared. Reading it is exclusive: see the method notes. */
export interface ReceivedItem {
  readonly contentId: string;
  readonly senderId: string;
  readonly senderName: string;
  /** Server time (ms since the epoch) when the item was announced. */
  readonly timestamp: number;
  readonly kind: ContentKind;
  readonly name: string;
  readonly mimeType: string;
  /** Exact plaintext size in bytes. */
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
  /** Resolves once every chunk has arrived and been verified; rejects like the readers. */
  readonly received: Promise<void>;
  /** Decrypted bytes waiting for a reader (released as they are read). */
  readonly bufferedBytes: number;
  /** The whole item as UTF-8 text (cached, via bytes()). */
  text(): Promise<string>;
  /** The whole item in one buffer; cached, so it can be called again. Shared: copy before mutating. */
  bytes(): Promise<Uint8Array>;
  /** Plaintext chunks in order, each released once read. One live reader; after bytes() it replays the cache. */
  stream(): AsyncGenerator<Uint8Array, void, undefined>;
  /** stream() as a WHATWG ReadableStream (e.g. for a Response or a file writer). */
  readable(): ReadableStream<Uint8Array>;
  /** Drops buffered and future chunks; readers then reject with CANCELLED. */
  discard(): void;
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
  'content-cleared': undefined;
  /** Integrity failures, server `error` events, failed automatic re-joins. */
  error: ShareError;
  connect: undefined;
  disconnect: { reason: string };
  /** socket.io is trying to reconnect (1, 2, ...); see socketOptions.reconnectionAttempts. */
  'reconnect-attempt': { attempt: number };
  /** After a reconnection, the session was joined again with the kept keys. */
  rejoin: JoinInfo;
}
