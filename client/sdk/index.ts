/**
 * ShareThings client SDK: join a session with a passphrase, share text and
 * files end-to-end encrypted, receive what the others share. Runs in
 * browsers and Node 20+ (WebCrypto, Blob, TextEncoder; no Node built-ins).
 */
export { ShareClient } from './share-client.ts';
export { ShareError } from './errors.ts';
export { DEFAULT_SOCKET_OPTIONS } from './socket.ts';
export { DEFAULT_CHUNK_SIZE, DEFAULT_STALL_TIMEOUT_MS, DEFAULT_WINDOW } from './options.ts';
export { INLINE_TEXT_MAX_BYTES, TEXT_MIME_TYPE } from './outgoing.ts';
export type { ErrorCode } from '../../protocol/errors.ts';
export type {
  ClientInfo,
  ContentKind,
  DeriveKeys,
  FileData,
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
} from './types.ts';
