/**
 * The embedded store: everything under DATA_DIR on local disk, indexed in
 * memory at start-up. Every file is written atomically (see atomic.ts), an
 * item's record is written before any of its chunks, and a chunk counts only
 * once its file is complete, so a restart after `kill -9` recovers exactly
 * what was acknowledged and never serves half an item as complete.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../../protocol/errors.ts';
import { IV_BYTES } from '../../../protocol/limits.ts';
import type { Logger } from '../../log.ts';
import { describeError } from '../../log.ts';
import {
  compareItems,
  type ContentStore,
  type EncryptedName,
  type ItemCursor,
  type ItemPage,
  type ItemRecord,
  type ItemState,
  type SessionRecord,
  type SessionUsage,
  type StoredChunk,
} from '../content-store.ts';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic.ts';
import { DiskPaths } from './paths.ts';
import { decodeItem, decodeSession, encodeItem, encodeSession } from './records.ts';
import { ItemIndex } from './item-index.ts';

/** Activity is written to disk at most this often per session (it only steers expiry). */
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

interface SessionIndex {
  record: SessionRecord;
  persistedActiveAt: number;
  items: Map<string, ItemIndex>;
  /** Newest item timestamp: later items get a strictly greater one, so the timeline order is total. */
  lastTimestamp: number;
}

export class DiskStore implements ContentStore {
  private readonly paths: DiskPaths;
  private readonly sessions = new Map<string, SessionIndex>();

  constructor(
    dataDir: string,
    private readonly options: { fsync: boolean; log: Logger },
  ) {
    this.paths = new DiskPaths(path.resolve(dataDir));
  }

  async open(): Promise<void> {
    await mkdir(this.paths.sessionsDir, { recursive: true });
    await rm(this.paths.trashDir, { recursive: true, force: true });
    for (const name of await readdir(this.paths.sessionsDir)) {
      await this.loadSession(path.join(this.paths.sessionsDir, name));
    }
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) {
      if (session.record.lastActiveAt !== session.persistedActiveAt) await this.writeSession(session);
    }
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(sessionId)?.record;
  }

  async createSession(sessionId: string, verifier: Uint8Array, now: number): Promise<{ record: SessionRecord; created: boolean }> {
    const existing = this.sessions.get(sessionId);
    if (existing) return { record: existing.record, created: false };
    const session: SessionIndex = {
      record: { sessionId, verifier: Uint8Array.from(verifier), createdAt: now, lastActiveAt: now },
      persistedActiveAt: now,
      items: new Map(),
      lastTimestamp: 0,
    };
    // Indexed before the write, so a concurrent create sees this record and not a second one.
    this.sessions.set(sessionId, session);
    await this.writeSession(session);
    return { record: session.record, created: true };
  }

  async touchSession(sessionId: string, now: number): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session || now <= session.record.lastActiveAt) return;
    session.record.lastActiveAt = now;
    if (now - session.persistedActiveAt >= ACTIVITY_WRITE_INTERVAL_MS) await this.writeSession(session);
  }

  async deleteSession(sessionId: string): Promise<void> {
    if (!this.sessions.delete(sessionId)) return;
    // One rename takes the whole session away at once; the files are removed after.
    await mkdir(this.paths.trashDir, { recursive: true });
    const trash = path.join(this.paths.trashDir, randomBytes(8).toString('hex'));
    await rename(this.paths.session(sessionId), trash).catch(() => undefined);
    await rm(trash, { recursive: true, force: true });
  }

  async idleSessions(cutoff: number): Promise<string[]> {
    return [...this.sessions.values()].filter((s) => s.record.lastActiveAt < cutoff).map((s) => s.record.sessionId);
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  async addItem(sessionId: string, item: ItemRecord): Promise<ItemState> {
    const session = this.requireSession(sessionId);
    if (session.items.has(item.contentId)) throw new ProtocolError('CONFLICT', 'This content id is already in use');
    session.lastTimestamp = Math.max(item.timestamp, session.lastTimestamp + 1);
    const index = new ItemIndex({ ...item, timestamp: session.lastTimestamp });
    session.items.set(item.contentId, index);
    try {
      await writeFileAtomic(this.paths.itemRecord(sessionId, item.contentId), encodeItem(index.record), this.options.fsync);
    } catch (error) {
      const removed = session.items.get(item.contentId) !== index;
      if (!removed) session.items.delete(item.contentId);
      if (removed || !this.sessions.has(sessionId)) throw new ProtocolError('NOT_FOUND', 'The item was removed');
      throw error;
    }
    return index.state();
  }

  async getItem(sessionId: string, contentId: string): Promise<ItemState | undefined> {
    return this.sessions.get(sessionId)?.items.get(contentId)?.state();
  }

  async listItems(sessionId: string, page: { after?: ItemCursor; limit: number }): Promise<ItemPage> {
    const session = this.sessions.get(sessionId);
    if (!session) return { items: [], hasMore: false };
    const ordered = [...session.items.values()].map((index) => index.state()).sort(compareItems);
    const after = page.after;
    const start = after ? ordered.findIndex((item) => compareItems(item, after) > 0) : 0;
    if (start < 0) return { items: [], hasMore: false };
    const items = ordered.slice(start, start + page.limit);
    return { items, hasMore: start + page.limit < ordered.length };
  }

  async putChunk(
    sessionId: string,
    contentId: string,
    index: number,
    chunk: StoredChunk,
  ): Promise<{ item: ItemState; added: boolean }> {
    const item = this.requireItem(sessionId, contentId);
    if (index >= item.record.totalChunks) throw new ProtocolError('INVALID_PAYLOAD', 'chunkIndex must be below totalChunks');
    if (item.has(index)) return { item: item.state(), added: false };
    const stillThere = () => this.sessions.get(sessionId)?.items.get(contentId) === item;
    try {
      await writeFileAtomic(this.paths.chunk(sessionId, contentId, index), [chunk.iv, chunk.encryptedData], this.options.fsync);
    } catch (error) {
      // Removed (moved to the trash) while the chunk was being written.
      if (!stillThere()) throw new ProtocolError('NOT_FOUND', 'The item was removed');
      throw error;
    }
    if (!stillThere()) {
      await rm(this.paths.item(sessionId, contentId), { recursive: true, force: true });
      throw new ProtocolError('NOT_FOUND', 'The item was removed');
    }
    if (item.has(index)) return { item: item.state(), added: false };
    item.add(index, chunk.iv.byteLength + chunk.encryptedData.byteLength);
    return { item: item.state(), added: true };
  }

  hasChunk(sessionId: string, contentId: string, index: number): boolean {
    return this.sessions.get(sessionId)?.items.get(contentId)?.has(index) ?? false;
  }

  async incompleteItems(): Promise<Array<{ sessionId: string; item: ItemState }>> {
    const found: Array<{ sessionId: string; item: ItemState }> = [];
    for (const [sessionId, session] of this.sessions) {
      for (const item of session.items.values()) {
        const state = item.state();
        if (!state.complete) found.push({ sessionId, item: state });
      }
    }
    return found;
  }

  async getChunk(sessionId: string, contentId: string, index: number): Promise<StoredChunk | undefined> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (!item?.has(index)) return undefined;
    const bytes = await readFile(this.paths.chunk(sessionId, contentId, index)).catch(() => undefined);
    if (!bytes || bytes.byteLength < IV_BYTES) return undefined;
    return { iv: bytes.subarray(0, IV_BYTES), encryptedData: bytes.subarray(IV_BYTES) };
  }

  async missingChunks(sessionId: string, contentId: string): Promise<number[]> {
    return this.requireItem(sessionId, contentId).missing();
  }

  async updateItem(
    sessionId: string,
    contentId: string,
    patch: { pinned?: boolean; name?: EncryptedName },
  ): Promise<ItemState | undefined> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (!item) return undefined;
    const updated: ItemRecord = { ...item.record };
    if (patch.pinned !== undefined) updated.pinned = patch.pinned;
    if (patch.name !== undefined) updated.name = patch.name;
    await writeFileAtomic(this.paths.itemRecord(sessionId, contentId), encodeItem(updated), this.options.fsync);
    item.record = updated;
    return item.state();
  }

  async removeItem(sessionId: string, contentId: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session?.items.delete(contentId)) return false;
    await this.removeDir(this.paths.item(sessionId, contentId));
    return true;
  }

  async clearItems(sessionId: string): Promise<number> {
    const session = this.sessions.get(sessionId);
    if (!session) return 0;
    const count = session.items.size;
    session.items.clear();
    await this.removeDir(this.paths.items(sessionId));
    return count;
  }

  async usage(sessionId: string): Promise<SessionUsage> {
    const session = this.sessions.get(sessionId);
    if (!session) return { bytes: 0, items: 0 };
    let bytes = 0;
    for (const item of session.items.values()) bytes += item.bytes;
    return { bytes, items: session.items.size };
  }

  private requireSession(sessionId: string): SessionIndex {
    const session = this.sessions.get(sessionId);
    if (!session) throw new ProtocolError('NOT_FOUND', 'No such session');
    return session;
  }

  private requireItem(sessionId: string, contentId: string): ItemIndex {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (!item) throw new ProtocolError('NOT_FOUND', 'No such item');
    return item;
  }

  private async writeSession(session: SessionIndex): Promise<void> {
    const activeAt = session.record.lastActiveAt;
    await writeFileAtomic(this.paths.sessionRecord(session.record.sessionId), encodeSession(session.record), this.options.fsync);
    session.persistedActiveAt = activeAt;
  }

  /** Moves a directory to the trash (atomic), then deletes it. */
  private async removeDir(dir: string): Promise<void> {
    await mkdir(this.paths.trashDir, { recursive: true });
    const trash = path.join(this.paths.trashDir, randomBytes(8).toString('hex'));
    const moved = await rename(dir, trash).then(() => true, () => false);
    if (moved) await rm(trash, { recursive: true, force: true });
  }

  private async loadSession(dir: string): Promise<void> {
    let record: SessionRecord;
    try {
      record = decodeSession(await readFile(path.join(dir, 'session.json'), 'utf8'));
    } catch (error) {
      // A session directory without a readable record was never acknowledged: drop it.
      this.options.log.warn('store: dropping unreadable session', { dir: path.basename(dir), error: describeError(error) });
      await rm(dir, { recursive: true, force: true });
      return;
    }
    const session: SessionIndex = { record, persistedActiveAt: record.lastActiveAt, items: new Map(), lastTimestamp: 0 };
    const itemsDir = path.join(dir, 'items');
    for (const name of await readdir(itemsDir).catch(() => [] as string[])) {
      const item = await this.loadItem(path.join(itemsDir, name));
      if (!item) continue;
      session.items.set(item.record.contentId, item);
      session.lastTimestamp = Math.max(session.lastTimestamp, item.record.timestamp);
    }
    this.sessions.set(record.sessionId, session);
  }

  private async loadItem(dir: string): Promise<ItemIndex | undefined> {
    let record: ItemRecord;
    try {
      record = decodeItem(await readFile(path.join(dir, 'item.json'), 'utf8'));
    } catch {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    const item = new ItemIndex(record);
    const chunksDir = path.join(dir, 'chunks');
    for (const name of await readdir(chunksDir).catch(() => [] as string[])) {
      const match = /^(\d+)\.bin$/.exec(name);
      const index = match ? Number(match[1]) : -1;
      if (name.endsWith(TEMP_SUFFIX) || index < 0 || index >= record.totalChunks) {
        await rm(path.join(chunksDir, name), { force: true });
        continue;
      }
      const info = await stat(path.join(chunksDir, name));
      item.add(index, info.size);
    }
    return item;
  }
}
