/**
 * The embedded store: everything under DATA_DIR on local disk, indexed in
 * memory at start-up.
 *
 * - Session and item records (session.json, item.json) are small JSON files
 *   written atomically (atomic.ts), once per session or item and per change.
 * - An item's chunks are records in its append-only chunk log (chunk-log.ts):
 *   one positioned write per chunk (or per batch of queued chunks) to a handle
 *   kept open while the upload is in progress, closed when the item is
 *   complete, removed, or its session deleted.
 * - A chunk counts (is listed, served, acknowledged) only once its record is
 *   completely written. After `kill -9` the scan at start-up keeps exactly the
 *   complete records and truncates the rest, so a restart recovers what was
 *   acknowledged and never serves half a chunk.
 * - Changes to a session's directories (record writes, moves to the trash) run
 *   one at a time per session and check that what they write is still in the
 *   index, so a removal racing a write never leaves a file that looks valid.
 */
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../../protocol/errors.ts';
import { IV_BYTES } from '../../../protocol/limits.ts';
import type { Logger } from '../../log.ts';
import { describeError } from '../../log.ts';
import {
  compareItems,
  type ChunkCommit,
  type ContentStore,
  type EncryptedName,
  type ItemCursor,
  type ItemLimits,
  type ItemPage,
  type ItemRecord,
  type ItemState,
  type SessionRecord,
  type SessionUsage,
  type StoredChunk,
  type UploadRef,
} from '../content-store.ts';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic.ts';
import { ChunkLog, LOG_FILE, type LogOptions, LogPool, scanLog } from './chunk-log.ts';
import { DiskPaths, LEGACY_CHUNKS_DIR, legacyChunkIndex } from './paths.ts';
import { decodeItem, decodeSession, encodeItem, encodeSession } from './records.ts';
import { ItemIndex } from './item-index.ts';

/** Activity is written to disk at most this often per session (it only steers expiry). */
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;
/** Chunk logs that may keep a file handle open at once (uploads in progress); past it, idle ones close. */
const DEFAULT_MAX_OPEN_LOGS = 256;
/** A completed item's log opened to serve fetches stays open while they keep coming, and closes after this long without one. */
const DEFAULT_READ_IDLE_MS = 2_000;

const noop = () => undefined;
const removedError = () => new ProtocolError('NOT_FOUND', 'The item was removed');

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
  private readonly pool: LogPool;
  private readonly logOptions: LogOptions;
  /** Per session id: the tail of its queue of directory changes. */
  private readonly dirQueues = new Map<string, Promise<unknown>>();

  constructor(
    dataDir: string,
    private readonly options: { fsync: boolean; log: Logger; maxOpenLogs?: number; readIdleMs?: number; directIo?: boolean },
  ) {
    this.paths = new DiskPaths(path.resolve(dataDir));
    this.pool = new LogPool(options.maxOpenLogs ?? DEFAULT_MAX_OPEN_LOGS);
    this.logOptions = {
      fsync: options.fsync,
      // Not with fsync: a direct write rewrites the log's last block, records acknowledged before
      // included, and a power loss could tear that block where the disk does not write 4 KiB at once.
      directIo: (options.directIo ?? true) && !options.fsync,
      pool: this.pool,
      readIdleMs: options.readIdleMs ?? DEFAULT_READ_IDLE_MS,
    };
  }

  async open(): Promise<void> {
    await mkdir(this.paths.sessionsDir, { recursive: true });
    await rm(this.paths.trashDir, { recursive: true, force: true });
    for (const name of await readdir(this.paths.sessionsDir)) {
      await this.loadSession(path.join(this.paths.sessionsDir, name));
    }
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
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

  async deleteSession(sessionId: string, idleBefore?: number): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session || (idleBefore !== undefined && session.record.lastActiveAt >= idleBefore)) return false;
    this.sessions.delete(sessionId);
    const closing = [...session.items.values()].map((item) => item.log.remove());
    // One rename takes the whole session away at once; the files are removed after.
    await this.removeDir(sessionId, this.paths.session(sessionId), closing);
    return true;
  }

  async idleSessions(cutoff: number): Promise<string[]> {
    return [...this.sessions.values()].filter((s) => s.record.lastActiveAt < cutoff).map((s) => s.record.sessionId);
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  async addItem(sessionId: string, item: ItemRecord, limits?: ItemLimits): Promise<ItemState> {
    const session = this.requireSession(sessionId);
    if (session.items.has(item.contentId)) throw new ProtocolError('CONFLICT', 'This content id is already in use');
    if (limits) {
      const usage = this.usageOf(session);
      const size = item.encryptedDescriptor.byteLength + (item.data?.byteLength ?? 0);
      if (usage.items >= limits.maxItems) throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${limits.maxItems} items`);
      if (usage.bytes + size > limits.maxBytes) throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${limits.maxBytes} bytes`);
    }
    session.lastTimestamp = Math.max(item.timestamp, session.lastTimestamp + 1);
    const log = new ChunkLog(this.paths.chunkLog(sessionId, item.contentId), 0, this.logOptions);
    const index = new ItemIndex({ ...item, timestamp: session.lastTimestamp }, log);
    if (item.totalChunks > 0) {
      index.generation = 1;
      index.lastActivityAt = item.timestamp;
    }
    session.items.set(item.contentId, index);
    const indexed = () => this.sessions.get(sessionId)?.items.get(item.contentId) === index;
    // The directory and item.json, written once; the chunk log is created by the first chunk.
    const created = this.inSessionDirs(sessionId, async () => {
      if (!indexed()) throw removedError();
      await writeFileAtomic(this.paths.itemRecord(sessionId, item.contentId), encodeItem(index.record), this.options.fsync);
    });
    index.created = created;
    created.catch(noop);
    try {
      await created;
    } catch (error) {
      const removed = !indexed();
      if (!removed) session.items.delete(item.contentId);
      if (removed || !this.sessions.has(sessionId)) throw removedError();
      throw error;
    } finally {
      if (index.created === created) index.created = undefined;
    }
    // Removed meanwhile: the removal, queued after this write, takes the directory away.
    if (!indexed()) throw removedError();
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
    commit?: ChunkCommit,
  ): Promise<{ item: ItemState; added: boolean }> {
    const item = this.requireItem(sessionId, contentId);
    if (!Number.isInteger(index) || index < 0 || index >= item.record.totalChunks) {
      throw new ProtocolError('INVALID_PAYLOAD', 'chunkIndex must be below totalChunks');
    }
    if (chunk.iv.byteLength > 255) throw new ProtocolError('INVALID_PAYLOAD', 'iv too long');
    // A chunk stored already is a repeat, whoever sends it, even once the item is complete.
    if (item.has(index)) return { item: item.state(), added: false };
    const inFlight = item.writing.get(index);
    if (inFlight) {
      // The same chunk is being written: wait for that write, then answer as for a repeat (or retry if it failed).
      await inFlight.then(noop, noop);
      return this.putChunk(sessionId, contentId, index, chunk, commit);
    }
    if (commit && (item.complete || item.generation !== commit.generation)) {
      throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
    }
    const size = chunk.iv.byteLength + chunk.encryptedData.byteLength;
    if (commit) this.checkRoom(sessionId, item, size, commit);
    item.lastActivityAt = Date.now();
    const write = this.appendChunk(sessionId, contentId, item, index, chunk);
    item.writing.set(index, write);
    item.pendingBytes += size;
    try {
      return await write;
    } finally {
      item.pendingBytes -= size;
      if (item.writing.get(index) === write) item.writing.delete(index);
    }
  }

  /** The size limits, counting the chunks being written as if stored. */
  private checkRoom(sessionId: string, item: ItemIndex, size: number, commit: ChunkCommit): void {
    if (item.bytes + item.pendingBytes + size > commit.maxItemBytes) {
      throw new ProtocolError('PAYLOAD_TOO_LARGE', `Items may be at most ${commit.maxItemBytes} bytes`);
    }
    const session = this.requireSession(sessionId);
    let pending = 0;
    for (const other of session.items.values()) pending += other.pendingBytes;
    if (this.usageOf(session).bytes + pending + size > commit.maxSessionBytes) {
      throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${commit.maxSessionBytes} bytes`);
    }
  }

  private async appendChunk(
    sessionId: string,
    contentId: string,
    item: ItemIndex,
    index: number,
    chunk: StoredChunk,
  ): Promise<{ item: ItemState; added: boolean }> {
    const stillThere = () => this.sessions.get(sessionId)?.items.get(contentId) === item;
    if (item.created) await item.created.catch(noop);
    if (!stillThere()) throw removedError();
    let entry;
    try {
      entry = await item.log.append(index, chunk.iv, chunk.encryptedData);
    } catch (error) {
      // Removed while the chunk was queued or being written.
      if (!stillThere()) throw removedError();
      throw error;
    }
    // Removed while it was being written: the removal waited for this write and takes the log away with the item.
    if (!stillThere()) throw removedError();
    const added = item.add(entry);
    // Complete: no more appends, let the handle go (reads open the file as needed).
    if (item.complete) await item.log.release();
    return { item: item.state(), added };
  }

  async claimUpload(sessionId: string, contentId: string, now: number): Promise<{ generation: number; missing: number[] } | undefined> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (!item || item.complete) return undefined;
    item.generation += 1;
    item.lastActivityAt = now;
    return { generation: item.generation, missing: item.missing() };
  }

  async releaseUpload(sessionId: string, contentId: string, generation: number, now: number): Promise<void> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (item && !item.complete && item.generation === generation) item.lastActivityAt = now;
  }

  async stalledUploads(cutoff: number): Promise<UploadRef[]> {
    const stalled: UploadRef[] = [];
    for (const [sessionId, session] of this.sessions) {
      for (const [contentId, item] of session.items) {
        if (!item.complete && item.lastActivityAt < cutoff) stalled.push({ sessionId, contentId });
      }
    }
    return stalled;
  }

  async purgeDeleted(): Promise<void> {
    // Removals delete their files at once.
  }

  async discardUpload(sessionId: string, contentId: string, stalledBefore?: number): Promise<boolean> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    if (!item || item.complete) return false;
    if (stalledBefore !== undefined && (item.lastActivityAt >= stalledBefore || item.writing.size > 0)) return false;
    return this.removeItem(sessionId, contentId);
  }

  async getChunk(sessionId: string, contentId: string, index: number): Promise<StoredChunk | undefined> {
    const item = this.sessions.get(sessionId)?.items.get(contentId);
    const entry = item?.entry(index);
    if (!item || !entry) return undefined;
    const chunk = await item.log.read(entry).catch(() => undefined);
    if (this.sessions.get(sessionId)?.items.get(contentId) !== item) return undefined;
    if (chunk === 'corrupt') {
      // Never serve a damaged record; the chunk is missing again (a resumed upload can send it anew).
      if (item.entry(index)?.offset === entry.offset) item.drop(index);
      this.options.log.error('store: damaged chunk record dropped', { chunkIndex: index, offset: entry.offset });
      return undefined;
    }
    return chunk;
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
    const indexed = () => this.sessions.get(sessionId)?.items.get(contentId) === item;
    return this.inSessionDirs(sessionId, async () => {
      if (!indexed()) return undefined;
      const updated: ItemRecord = { ...item.record };
      if (patch.pinned !== undefined) updated.pinned = patch.pinned;
      if (patch.name !== undefined) updated.name = patch.name;
      await writeFileAtomic(this.paths.itemRecord(sessionId, contentId), encodeItem(updated), this.options.fsync);
      item.record = updated;
      return indexed() ? item.state() : undefined;
    });
  }

  async removeItem(sessionId: string, contentId: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    const item = session?.items.get(contentId);
    if (!session || !item) return false;
    session.items.delete(contentId);
    await this.removeDir(sessionId, this.paths.item(sessionId, contentId), [item.log.remove()]);
    return true;
  }

  async clearItems(sessionId: string): Promise<number> {
    const session = this.sessions.get(sessionId);
    if (!session) return 0;
    const items = [...session.items.values()];
    session.items.clear();
    await this.removeDir(sessionId, this.paths.items(sessionId), items.map((item) => item.log.remove()));
    return items.length;
  }

  async usage(sessionId: string): Promise<SessionUsage> {
    const session = this.sessions.get(sessionId);
    return session ? this.usageOf(session) : { bytes: 0, items: 0 };
  }

  private usageOf(session: SessionIndex): SessionUsage {
    let bytes = 0;
    for (const item of session.items.values()) bytes += item.bytes;
    return { bytes, items: session.items.size };
  }

  /** Chunk-log handles open right now (for tests). */
  openLogs(): number {
    return this.pool.size;
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

  /**
   * Runs a change to a session's directories after the ones before it, so a
   * record write and a move to the trash never interleave (a write that runs
   * after its item or session was removed checks the index and does nothing).
   */
  private inSessionDirs<T>(sessionId: string, change: () => Promise<T>): Promise<T> {
    const before = this.dirQueues.get(sessionId) ?? Promise.resolve();
    const run = before.then(change);
    const tail = run.then(noop, noop);
    this.dirQueues.set(sessionId, tail);
    void tail.then(() => {
      if (this.dirQueues.get(sessionId) === tail) this.dirQueues.delete(sessionId);
    });
    return run;
  }

  private async writeSession(session: SessionIndex): Promise<void> {
    const { sessionId } = session.record;
    const activeAt = session.record.lastActiveAt;
    await this.inSessionDirs(sessionId, async () => {
      // Deleted meanwhile: writing would bring the session back.
      if (this.sessions.get(sessionId) !== session) return;
      await writeFileAtomic(this.paths.sessionRecord(sessionId), encodeSession(session.record), this.options.fsync);
      session.persistedActiveAt = activeAt;
    });
  }

  /**
   * Moves a directory to the trash in one rename (so it goes away at once and
   * whole), after its chunk logs are closed and the writes under way to them
   * are done, then deletes it.
   */
  private async removeDir(sessionId: string, dir: string, closing: Array<Promise<void>>): Promise<void> {
    const trash = path.join(this.paths.trashDir, randomBytes(8).toString('hex'));
    const moved = await this.inSessionDirs(sessionId, async () => {
      await Promise.all(closing.map((close) => close.catch(noop)));
      await mkdir(this.paths.trashDir, { recursive: true });
      return rename(dir, trash).then(
        () => true,
        () => false,
      );
    });
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
    for (const name of await readdir(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) await rm(path.join(dir, name), { force: true });
    }
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
    let names: string[];
    try {
      names = await readdir(dir);
      record = decodeItem(await readFile(path.join(dir, 'item.json'), 'utf8'));
    } catch {
      // No readable item.json: the item was never acknowledged (or is not a directory at all).
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX)) await rm(path.join(dir, name), { force: true });
    }
    const file = path.join(dir, LOG_FILE);
    const scan = await scanLog(file, record.totalChunks, { verifyTail: this.options.fsync, fsync: this.options.fsync });
    if (scan.truncated > 0) {
      this.options.log.warn('store: cut an incomplete chunk log record', { item: path.basename(dir), bytes: scan.truncated });
    }
    const item = new ItemIndex(record, new ChunkLog(file, scan.end, this.logOptions));
    for (const entry of scan.entries) item.add(entry);
    // An unfinished upload waits for its sender to resume (claimUpload) from now, or is abandoned.
    item.lastActivityAt = Date.now();
    if (names.includes(LEGACY_CHUNKS_DIR)) await this.migrateLegacyChunks(item, path.join(dir, LEGACY_CHUNKS_DIR));
    return item;
  }

  /**
   * Chunks stored one file each (before the chunk log) are appended to the log,
   * then their directory is deleted. Interrupted, it runs again at the next
   * start: chunks already in the log are skipped.
   */
  private async migrateLegacyChunks(item: ItemIndex, chunksDir: string): Promise<void> {
    const indexes: number[] = [];
    for (const name of await readdir(chunksDir).catch(() => [] as string[])) {
      const index = legacyChunkIndex(name);
      if (index !== undefined && index < item.record.totalChunks) indexes.push(index);
    }
    indexes.sort((a, b) => a - b);
    for (const index of indexes) {
      if (item.has(index)) continue;
      const bytes = await readFile(path.join(chunksDir, `${index}.bin`)).catch(() => undefined);
      if (!bytes || bytes.byteLength < IV_BYTES) continue;
      item.add(await item.log.append(index, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES)));
    }
    await item.log.release();
    await rm(chunksDir, { recursive: true, force: true });
  }
}
