/**
 * The Socket.IO event maps shared by server and clients:
 * `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`
 * and `Socket<ServerToClientEvents, ClientToServerEvents>`.
 */
import type { ErrorCode } from './errors.ts';
import type {
  CancelContentPayload,
  Chunk,
  ChunkPayload,
  ContentHeader,
  ContentPayload,
  ContentRef,
  FetchChunkPayload,
  JoinChallengePayload,
  JoinPayload,
  LeavePayload,
  ListContentPayload,
  PinContentPayload,
  RenameContentPayload,
  ResumeUploadPayload,
  SessionRef,
  BatchPayload,
} from './schemas.ts';

/** Every ack is `{ success: true, ...result }` or `{ success: false, error, code }`. */
export type AckFailure = { success: false; error: string; code: ErrorCode; retryAfterMs?: number };
export type AckResponse<T extends object = object> = ({ success: true } & T) | AckFailure;
export type Ack<T extends object = object> = (response: AckResponse<T>) => void;

export interface ClientInfo {
  id: string;
  name: string;
}

/** A stored item as listed in history: the header, plus what the server knows of its state. */
export interface ItemHeader {
  contentId: string;
  totalChunks: number;
  encryptedDescriptor: Uint8Array;
  iv: Uint8Array;
  data?: Uint8Array;
  senderId: string;
  senderName: string;
  timestamp: number;
  pinned: boolean;
  /** Set by a rename: the new name, encrypted with the metadata key and the name AAD. */
  name?: { encryptedName: Uint8Array; iv: Uint8Array };
  /** Chunks stored so far; equal to totalChunks when complete. */
  receivedChunks: number;
  complete: boolean;
}

export interface HistoryPage {
  items: ItemHeader[];
  hasMore: boolean;
}

/** Per-session storage limits and what is used, shown to users. */
export interface QuotaInfo {
  usedBytes: number;
  maxBytes: number;
  usedItems: number;
  maxItems: number;
  maxItemBytes: number;
}

export interface JoinResult {
  sessionId: string;
  clients: ClientInfo[];
  /** True when this join created the session. */
  created: boolean;
  /** The newest items, pinned first; list-content pages through the rest. */
  history: HistoryPage;
  quota: QuotaInfo;
}

export interface ClientToServerEvents {
  'join-challenge': (payload: JoinChallengePayload, ack: Ack<{ challenge: Uint8Array }>) => void;
  join: (payload: JoinPayload, ack: Ack<JoinResult>) => void;
  leave: (payload: LeavePayload, ack?: Ack) => void;
  content: (payload: ContentPayload, ack?: Ack<{ contentId: string }>) => void;
  chunk: (payload: ChunkPayload, ack?: Ack<{ contentId: string; chunkIndex: number }>) => void;
  'cancel-content': (payload: CancelContentPayload, ack?: Ack) => void;
  'list-content': (payload: ListContentPayload, ack: Ack<HistoryPage>) => void;
  'fetch-chunk': (payload: FetchChunkPayload, ack: Ack<{ chunk: Chunk }>) => void;
  'remove-content': (payload: ContentRef, ack?: Ack) => void;
  'clear-content': (payload: SessionRef, ack?: Ack<{ removed: number }>) => void;
  'pin-content': (payload: PinContentPayload, ack?: Ack<{ item: ItemHeader }>) => void;
  'rename-content': (payload: RenameContentPayload, ack?: Ack<{ item: ItemHeader }>) => void;
  'resume-upload': (payload: ResumeUploadPayload, ack: Ack<{ missing: number[] }>) => void;
  /** Runs each message in order as if sent alone; `results` holds each one's answer. */
  batch: (payload: BatchPayload, ack?: Ack<{ results: AckResponse[] }>) => void;
}

/** A content header as relayed: the server adds who sent it and when. */
export interface RelayedContentHeader extends ContentHeader {
  senderId: string;
  senderName: string;
  timestamp: number;
}

export interface ServerToClientEvents {
  'client-joined': (payload: { sessionId: string; clientId: string; clientName: string }) => void;
  'client-left': (payload: { sessionId: string; clientId: string }) => void;
  content: (payload: { sessionId: string; content: RelayedContentHeader; data?: Uint8Array }) => void;
  chunk: (payload: ChunkPayload & { senderId: string }) => void;
  /** An upload stopped before completion: cancelled by its sender, refused, or its sender left. */
  'content-cancelled': (payload: { sessionId: string; contentId: string; code: ErrorCode }) => void;
  /**
   * A chunk was stored but not pushed to this slow receiver (its connection
   * had too much queued); fetch it with fetch-chunk when ready.
   */
  'chunk-available': (payload: { sessionId: string; contentId: string; chunkIndex: number; totalChunks: number }) => void;
  /**
   * How far an upload has got, at most 4 times a second per item, volatile
   * (may be dropped under load): for showing items still uploading.
   */
  'upload-progress': (payload: { sessionId: string; contentId: string; receivedChunks: number; totalChunks: number }) => void;
  /** Every chunk of an item is stored (also sent to its sender). */
  'content-complete': (payload: { sessionId: string; contentId: string }) => void;
  'content-removed': (payload: { sessionId: string; contentId: string }) => void;
  'content-cleared': (payload: { sessionId: string }) => void;
  /** Pinned, unpinned or renamed. */
  'content-updated': (payload: { sessionId: string; item: ItemHeader }) => void;
  error: (payload: { message: string; code: ErrorCode }) => void;
  /** Sent before a graceful shutdown; clients reconnect on their own. */
  'server-shutdown': (payload: { reconnect: boolean }) => void;
  /**
   * Broadcasts from other nodes may have been missed (the node's link to
   * Redis was down): join again on this connection to get the members and
   * history as they are now.
   */
  resync: (payload: { reason: 'relay-restored' | 'behind' }) => void;
}

export interface InterServerEvents {
  ping: () => void;
}

export interface Membership {
  sessionId: string;
  name: string;
}

export interface SocketData {
  /** Sessions this connection has joined, with the display name used in each. */
  memberships: Membership[];
  /** Remote address as seen by the server (or forwarded, when trusted). */
  address: string;
}
