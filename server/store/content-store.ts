/**
 * The content store: sessions (their verifier and activity), items (the
 * encrypted descriptor and chunks, all ciphertext) and the state of unfinished
 * uploads (who may commit their chunks, when they last moved). One interface,
 * one adapter per backend: disk/ for a single node, redis-s3/ for a cluster
 * (records in Redis, chunk bytes in an S3-compatible object store).
 */

export interface SessionRecord {
  sessionId: string;
  /** Ed25519 public key derived from the passphrase: checks join proofs, cannot make them. */
  verifier: Uint8Array;
  createdAt: number;
  lastActiveAt: number;
}

export interface EncryptedName {
  encryptedName: Uint8Array;
  iv: Uint8Array;
}

export interface ItemRecord {
  contentId: string;
  senderId: string;
  senderName: string;
  timestamp: number;
  totalChunks: number;
  encryptedDescriptor: Uint8Array;
  iv: Uint8Array;
  data?: Uint8Array;
  pinned: boolean;
  /** Set by a rename: the new name, encrypted like the descriptor. */
  name?: EncryptedName;
  /** SHA-256 of the sender's resume token (hex), so an upload can be resumed from a new connection. */
  resumeTokenHash?: string;
}

export interface ItemState extends ItemRecord {
  /** Ciphertext bytes held for this item (descriptor, inline data and chunks). */
  bytes: number;
  receivedChunks: number;
  complete: boolean;
  /**
   * Of an unfinished upload: the generation of its current owner (1 for the
   * connection that announced it, one more at every resume; 0 when nobody
   * claimed it since a restart). Commits must name it, so an owner that was
   * superseded (a node that hung, a connection that dropped) cannot commit.
   */
  generation: number;
}

/** What storing a chunk checks, at once with recording it. */
export interface ChunkCommit {
  /** The owner generation the sender was given (announce or resume); another one is refused NOT_FOUND. */
  generation: number;
  /** PAYLOAD_TOO_LARGE once the item's ciphertext would pass this. */
  maxItemBytes: number;
  /** QUOTA_EXCEEDED once the session's ciphertext would pass this. */
  maxSessionBytes: number;
}

/** What adding an item checks, at once with adding it (QUOTA_EXCEEDED). */
export interface ItemLimits {
  maxItems: number;
  maxBytes: number;
}

/** An item's chunk counts, as a chunk's commit leaves them. */
export type ChunkProgress = Pick<ItemState, 'receivedChunks' | 'totalChunks' | 'bytes' | 'complete'>;

export interface UploadRef {
  sessionId: string;
  contentId: string;
}

export interface StoredChunk {
  iv: Uint8Array;
  encryptedData: Uint8Array;
}

export interface ItemPage {
  items: ItemState[];
  hasMore: boolean;
}

/** Position in a session's timeline: pinned first, then newest first. */
export interface ItemCursor {
  pinned: boolean;
  timestamp: number;
  contentId: string;
}

export interface SessionUsage {
  bytes: number;
  items: number;
}

export interface ContentStore {
  /** Loads what is on disk (or connects); sessions and items are then served from the index. */
  open(): Promise<void>;
  close(): Promise<void>;

  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Creates the session unless it exists; returns the record now stored and whether this call created it. */
  createSession(sessionId: string, verifier: Uint8Array, now: number): Promise<{ record: SessionRecord; created: boolean }>;
  touchSession(sessionId: string, now: number): Promise<void>;
  /**
   * Deletes the session and everything in it; with `idleBefore`, only if it
   * has not been active since (a join or a request that raced the sweeper
   * keeps it). Whether it deleted it.
   */
  deleteSession(sessionId: string, idleBefore?: number): Promise<boolean>;
  /** Sessions whose last activity is before `cutoff`. */
  idleSessions(cutoff: number): Promise<string[]>;
  /** A number when the store holds the count in memory (answered at once, e.g. to /healthz). */
  sessionCount(): number | Promise<number>;

  /**
   * Adds an item (CONFLICT if its id is in use; QUOTA_EXCEEDED past `limits`);
   * its timestamp is raised if needed to be later than every other item's in
   * the session. An item with chunks starts an upload owned by generation 1.
   */
  addItem(sessionId: string, item: ItemRecord, limits?: ItemLimits): Promise<ItemState>;
  getItem(sessionId: string, contentId: string): Promise<ItemState | undefined>;
  listItems(sessionId: string, page: { after?: ItemCursor; limit: number }): Promise<ItemPage>;
  /**
   * Stores a chunk (idempotent) and returns the item's counts after it and
   * whether the chunk was new. With `commit`, the owner generation and the
   * size limits are checked at once with recording it; a chunk counts (is
   * listed, served, acknowledged) only once both its bytes and its record are
   * stored.
   */
  putChunk(
    sessionId: string,
    contentId: string,
    index: number,
    chunk: StoredChunk,
    commit?: ChunkCommit,
  ): Promise<{ item: ChunkProgress; added: boolean }>;
  getChunk(sessionId: string, contentId: string, index: number): Promise<StoredChunk | undefined>;
  missingChunks(sessionId: string, contentId: string): Promise<number[]>;
  updateItem(sessionId: string, contentId: string, patch: { pinned?: boolean; name?: EncryptedName }): Promise<ItemState | undefined>;
  removeItem(sessionId: string, contentId: string): Promise<boolean>;
  clearItems(sessionId: string): Promise<number>;
  usage(sessionId: string): Promise<SessionUsage>;

  /**
   * Hands an unfinished upload to a new connection of its sender (who showed
   * the resume token): a new generation, so the previous owner can no longer
   * commit. Undefined when the item is gone or complete.
   */
  claimUpload(sessionId: string, contentId: string, now: number): Promise<{ generation: number; missing: number[] } | undefined>;
  /** The owner went away: the upload waits for a resume, and counts as still since `now`. */
  releaseUpload(sessionId: string, contentId: string, generation: number, now: number): Promise<void>;
  /** Unfinished uploads with no chunk, claim or release since `cutoff`. */
  stalledUploads(cutoff: number): Promise<UploadRef[]>;
  /**
   * Removes the item if it is still unfinished (a cancelled or refused
   * upload), and with `stalledBefore` only if it has not moved since (it may
   * have been resumed meanwhile). Whether it did: a complete item stays.
   */
  discardUpload(sessionId: string, contentId: string, stalledBefore?: number): Promise<boolean>;
  /** Frees the space of what was deleted, where the backend does it later (the object store); the sweeper calls it. */
  purgeDeleted(): Promise<void>;
}

/** Timeline order: pinned items first, then newest first, ties by id. */
export function compareItems(a: ItemCursor, b: ItemCursor): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.timestamp !== b.timestamp) return b.timestamp - a.timestamp;
  return a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0;
}
