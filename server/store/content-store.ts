/**
 * The content store: sessions (their verifier and activity) and items (the
 * encrypted descriptor and chunks), all ciphertext. One interface, one
 * adapter per backend (disk/ now; Redis later).
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
  deleteSession(sessionId: string): Promise<void>;
  /** Sessions whose last activity is before `cutoff`. */
  idleSessions(cutoff: number): Promise<string[]>;
  sessionCount(): number;

  /** Adds an item; its timestamp is raised if needed to be later than every other item's in the session. */
  addItem(sessionId: string, item: ItemRecord): Promise<ItemState>;
  getItem(sessionId: string, contentId: string): Promise<ItemState | undefined>;
  listItems(sessionId: string, page: { after?: ItemCursor; limit: number }): Promise<ItemPage>;
  /** Stores a chunk (idempotent); returns the item's state after it and whether the chunk was new. */
  putChunk(sessionId: string, contentId: string, index: number, chunk: StoredChunk): Promise<{ item: ItemState; added: boolean }>;
  hasChunk(sessionId: string, contentId: string, index: number): boolean;
  getChunk(sessionId: string, contentId: string, index: number): Promise<StoredChunk | undefined>;
  missingChunks(sessionId: string, contentId: string): Promise<number[]>;
  updateItem(sessionId: string, contentId: string, patch: { pinned?: boolean; name?: EncryptedName }): Promise<ItemState | undefined>;
  removeItem(sessionId: string, contentId: string): Promise<boolean>;
  clearItems(sessionId: string): Promise<number>;
  usage(sessionId: string): Promise<SessionUsage>;
  /** Items whose chunks are not all stored, in every session (uploads to resume or discard). */
  incompleteItems(): Promise<Array<{ sessionId: string; item: ItemState }>>;
}

/** Timeline order: pinned items first, then newest first, ties by id. */
export function compareItems(a: ItemCursor, b: ItemCursor): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.timestamp !== b.timestamp) return b.timestamp - a.timestamp;
  return a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0;
}
