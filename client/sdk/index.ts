/**
 * ShareThings client SDK: join a session with a passphrase, share text and
 * files end-to-end encrypted, receive what the others share, page through
 * the session's stored history, and manage items (remove, pin, rename,
 * clear). Reconnects, re-joins and resumes transfers by itself. Runs in
 * browsers and Node 20+ (WebCrypto, Blob, TextEncoder; no Node built-ins).
 * See README.md.
 */
export { ShareClient } from './share-client.ts';
export { ShareError } from './errors.ts';
export { DEFAULT_SOCKET_OPTIONS } from './socket.ts';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_FETCH_WINDOW,
  DEFAULT_PREFETCH_BYTES,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_RECEIVE_BUFFER_BYTES,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_WINDOW,
} from './options.ts';
export { INLINE_TEXT_MAX_BYTES, TEXT_MIME_TYPE } from './outgoing.ts';
export type { ErrorCode } from '../../protocol/errors.ts';
export type {
  ClientInfo,
  ContentKind,
  ContentUpdate,
  DeriveKeys,
  FileData,
  HistoryOptions,
  HistoryPage,
  JoinInfo,
  PendingShare,
  Progress,
  QuotaInfo,
  ReceivedItem,
  SessionKeys,
  ShareClientEvents,
  ShareClientOptions,
  ShareFileOptions,
  ShareResult,
  ShareTextOptions,
  StreamOptions,
  UploadProgress,
} from './types.ts';
