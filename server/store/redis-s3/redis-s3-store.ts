/**
 * The cluster's store: sessions, items, chunk records and upload ownership in
 * Redis (records.ts, scripts.ts); the ciphertext of each chunk an object in
 * an S3-compatible store (object-store.ts), the layout Firefox Send used.
 *
 * - Object keys are random ids, never session or item ids:
 *   `<S3_PREFIX><session blobs>/<item blobs>/<chunk index>.<suffix>`; the
 *   object holds the chunk's IV length (one byte), IV and ciphertext. Every
 *   write of a chunk gets an object of its own (a random suffix), so a write
 *   that loses (a repeat, a superseded owner, a removed item) never replaces
 *   the bytes of the one recorded; it is deleted at once.
 * - A chunk counts only once its object is written and its record committed
 *   (COMMIT_CHUNK), which checks the owner generation and the limits in the
 *   same step: a superseded owner cannot commit. One Redis round trip per
 *   chunk besides the object's PUT.
 * - Removing deletes the records at once and queues the objects' prefix; the
 *   sweeper purges it (purgeDeleted) after a grace period that lets writes
 *   already under way land first. Lifecycle rules are not needed.
 * - Every failure of Redis or the object store is answered UNAVAILABLE.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProtocolError } from '../../../protocol/errors.ts';
import type { Logger } from '../../log.ts';
import { type RedisKeys, parseUploadMember, uploadMember } from '../../cluster/keys.ts';
import { guarded } from '../../cluster/unavailable.ts';
import type {
  ChunkCommit,
  ContentStore,
  EncryptedName,
  ItemCursor,
  ItemLimits,
  ItemPage,
  ItemRecord,
  ItemState,
  SessionRecord,
  SessionUsage,
  StoredChunk,
  UploadRef,
} from '../content-store.ts';
import type { ObjectStore } from './object-store.ts';
import { decodeItem, decodeSession, encodeMeta, encodeName } from './records.ts';
import {
  ADD_ITEM, CLAIM_UPLOAD, CLEAR_ITEMS, COMMIT_CHUNK, CREATE_SESSION, DELETE_SESSION, RELEASE_UPLOAD, REMOVE_ITEM, TOUCH_SESSION, UPDATE_ITEM,
  timelineScore,
} from './scripts.ts';

/** Deleted objects are purged this long after their records, so writes under way land first. */
export const PURGE_GRACE_MS = 60_000;
/** Items whose object prefix is remembered, so chunks need no lookup before their PUT. */
const BLOBS_CACHE_SIZE = 10_000;

const blobsId = () => randomBytes(12).toString('hex');

/** A stored chunk's object suffix from the item's BITFIELD (u32 words, big-endian), 0 when missing. */
const suffixAt = (words: Buffer, index: number) => (index * 4 + 4 <= words.length ? words.readUInt32BE(index * 4) : 0);

function missingFrom(words: Buffer, total: number): number[] {
  const missing: number[] = [];
  for (let index = 0; index < total; index++) if (suffixAt(words, index) === 0) missing.push(index);
  return missing;
}

/** A random, non-zero 32-bit suffix (0 means "missing" in the BITFIELD). */
const newSuffix = () => 1 + randomBytes(4).readUInt32BE(0) % 0xffffffff;

export class RedisS3Store implements ContentStore {
  /** session/content -> the object prefix of the item (immutable for its lifetime). */
  private readonly blobs = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly objects: ObjectStore,
    private readonly objectPrefix: string,
    private readonly log: Logger,
    private readonly options: { purgeGraceMs?: number } = {},
  ) {}

  private redisDo<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guarded('Redis', this.log, operation, work);
  }

  async open(): Promise<void> {
    await this.objects.check();
  }

  async close(): Promise<void> {
    this.objects.close();
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const [verifier, created, active] = await this.redisDo('get session', () =>
      this.redis.hmgetBuffer(this.keys.session(sessionId), 'verifier', 'created', 'active'),
    );
    if (!verifier || !created || !active) return undefined;
    return decodeSession(sessionId, { verifier, created, active });
  }

  async createSession(sessionId: string, verifier: Uint8Array, now: number): Promise<{ record: SessionRecord; created: boolean }> {
    const [created, stored, createdAt, active] = (await this.redisDo('create session', () =>
      CREATE_SESSION.runBuffer(this.redis, [this.keys.session(sessionId), this.keys.sessions], [sessionId, verifier, now, blobsId()]),
    )) as [number, Buffer, Buffer, Buffer];
    return { record: decodeSession(sessionId, { verifier: stored, created: createdAt, active }), created: created === 1 };
  }

  async touchSession(sessionId: string, now: number): Promise<void> {
    await this.redisDo('touch session', () => TOUCH_SESSION.run(this.redis, [this.keys.session(sessionId), this.keys.sessions], [sessionId, now]));
  }

  async deleteSession(sessionId: string, idleBefore?: number): Promise<boolean> {
    const keys = [this.keys.session(sessionId), this.keys.sessions, this.keys.timeline(sessionId), this.keys.uploads, this.keys.trash];
    const deleted = await this.redisDo('delete session', () => DELETE_SESSION.run(this.redis, keys, [sessionId, this.keys.prefix, Date.now(), idleBefore ?? '']));
    for (const key of this.blobs.keys()) if (key.startsWith(`${sessionId}/`)) this.blobs.delete(key);
    return deleted === 1;
  }

  async idleSessions(cutoff: number): Promise<string[]> {
    return this.redisDo('idle sessions', () => this.redis.zrangebyscore(this.keys.sessions, '-inf', `(${cutoff}`));
  }

  async sessionCount(): Promise<number> {
    return this.redisDo('count sessions', () => this.redis.zcard(this.keys.sessions));
  }

  async addItem(sessionId: string, item: ItemRecord, limits?: ItemLimits): Promise<ItemState> {
    const size = item.encryptedDescriptor.byteLength + (item.data?.byteLength ?? 0);
    const keys = [this.keys.session(sessionId), this.keys.timeline(sessionId), this.keys.item(sessionId, item.contentId), this.keys.uploads];
    const args = [
      item.contentId, encodeMeta(item), size, item.totalChunks, item.timestamp,
      limits?.maxItems ?? '', limits?.maxBytes ?? '', blobsId(), uploadMember(sessionId, item.contentId),
    ];
    const reply = (await this.redisDo('add item', () => ADD_ITEM.run(this.redis, keys, args))) as [string, number, number, string];
    switch (reply[0]) {
      case 'NO_SESSION':
        throw new ProtocolError('NOT_FOUND', 'No such session');
      case 'CONFLICT':
        throw new ProtocolError('CONFLICT', 'This content id is already in use');
      case 'QUOTA_ITEMS':
        throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${limits?.maxItems} items`);
      case 'QUOTA_BYTES':
        throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${limits?.maxBytes} bytes`);
    }
    const [, timestamp, generation, blobs] = reply;
    this.remember(sessionId, item.contentId, blobs);
    return { ...item, timestamp, bytes: size, receivedChunks: 0, complete: item.totalChunks === 0, generation };
  }

  async getItem(sessionId: string, contentId: string): Promise<ItemState | undefined> {
    return decodeItem(await this.redisDo('get item', () => this.redis.hgetallBuffer(this.keys.item(sessionId, contentId))));
  }

  async listItems(sessionId: string, page: { after?: ItemCursor; limit: number }): Promise<ItemPage> {
    const from = page.after ? `(${timelineScore(page.after.pinned, page.after.timestamp)}` : '+inf';
    return this.redisDo('list items', async () => {
      const ids = await this.redis.zrange(this.keys.timeline(sessionId), from, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, page.limit + 1);
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(0, page.limit)) pipeline.hgetallBuffer(this.keys.item(sessionId, id));
      const items: ItemState[] = [];
      for (const [error, hash] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const item = decodeItem(hash as Record<string, Buffer>);
        if (item) items.push(item); // removed between the two steps
      }
      return { items, hasMore: ids.length > page.limit };
    });
  }

  async putChunk(sessionId: string, contentId: string, index: number, chunk: StoredChunk, commit?: ChunkCommit) {
    if (chunk.iv.byteLength > 255) throw new ProtocolError('INVALID_PAYLOAD', 'iv too long');
    const blobs = await this.blobsOf(sessionId, contentId);
    if (!blobs) throw new ProtocolError('NOT_FOUND', 'No such item');
    const body = Buffer.concat([Uint8Array.of(chunk.iv.byteLength), chunk.iv, chunk.encryptedData]);
    const suffix = newSuffix();
    const key = this.objectKey(blobs, index, suffix);
    await guarded('the object store', this.log, 'put chunk', () => this.objects.put(key, body));
    const keys = [this.keys.item(sessionId, contentId), this.keys.chunks(sessionId, contentId), this.keys.session(sessionId), this.keys.uploads];
    const args = [
      index, body.byteLength - 1, commit?.generation ?? '', commit?.maxItemBytes ?? '', commit?.maxSessionBytes ?? '',
      Date.now(), blobs, uploadMember(sessionId, contentId), suffix,
    ];
    const reply = (await this.redisDo('commit chunk', () => COMMIT_CHUNK.run(this.redis, keys, args))) as [string, number, number, number];
    // Not recorded: nothing will ever read this object.
    if (reply[0] !== 'OK') this.deleteObject(key);
    switch (reply[0]) {
      case 'GONE':
        this.blobs.delete(`${sessionId}/${contentId}`);
        throw new ProtocolError('NOT_FOUND', 'The item was removed');
      case 'STALE':
        throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
      case 'RANGE':
        throw new ProtocolError('INVALID_PAYLOAD', 'chunkIndex must be below totalChunks');
      case 'TOO_LARGE':
        throw new ProtocolError('PAYLOAD_TOO_LARGE', `Items may be at most ${commit?.maxItemBytes} bytes`);
      case 'QUOTA':
        throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${commit?.maxSessionBytes} bytes`);
    }
    const [status, receivedChunks, totalChunks, bytes] = reply;
    return { item: { receivedChunks, totalChunks, bytes, complete: receivedChunks === totalChunks }, added: status === 'OK' };
  }

  async getChunk(sessionId: string, contentId: string, index: number): Promise<StoredChunk | undefined> {
    const key = await this.redisDo('get chunk', async () => {
      const replies = await this.redis
        .pipeline()
        .hget(this.keys.item(sessionId, contentId), 'blobs')
        .bitfield(this.keys.chunks(sessionId, contentId), 'GET', 'u32', `#${index}`)
        .exec();
      const [[, blobs], [, [suffix]]] = replies as [[Error | null, string | null], [Error | null, [number]]];
      return suffix && blobs ? this.objectKey(blobs, index, suffix) : undefined;
    });
    if (!key) return undefined;
    const bytes = await guarded('the object store', this.log, 'get chunk', () => this.objects.get(key));
    if (!bytes || bytes.byteLength < 1 || bytes.byteLength < 1 + bytes[0]!) {
      // Recorded but not readable: never serve it (a resumed upload can send it anew).
      this.log.error('store: a recorded chunk object is missing or damaged', { chunkIndex: index });
      return undefined;
    }
    const ivLength = bytes[0]!;
    return { iv: bytes.subarray(1, 1 + ivLength), encryptedData: bytes.subarray(1 + ivLength) };
  }

  async missingChunks(sessionId: string, contentId: string): Promise<number[]> {
    const [total, bitmap] = await this.redisDo('missing chunks', async () => {
      const replies = await this.redis.pipeline().hget(this.keys.item(sessionId, contentId), 'total').getBuffer(this.keys.chunks(sessionId, contentId)).exec();
      return [(replies?.[0]?.[1] as string | null) ?? null, (replies?.[1]?.[1] as Buffer | null) ?? Buffer.alloc(0)] as const;
    });
    if (total === null) throw new ProtocolError('NOT_FOUND', 'No such item');
    return missingFrom(bitmap, Number(total));
  }

  async updateItem(sessionId: string, contentId: string, patch: { pinned?: boolean; name?: EncryptedName }): Promise<ItemState | undefined> {
    const pinned = patch.pinned === undefined ? '' : patch.pinned ? '1' : '0';
    const name = patch.name ? encodeName(patch.name) : '';
    const reply = (await this.redisDo('update item', () =>
      UPDATE_ITEM.runBuffer(this.redis, [this.keys.item(sessionId, contentId), this.keys.timeline(sessionId)], [contentId, pinned, name]),
    )) as Buffer[] | null;
    if (!reply) return undefined;
    const hash: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) hash[reply[i]!.toString()] = reply[i + 1]!;
    return decodeItem(hash);
  }

  async removeItem(sessionId: string, contentId: string): Promise<boolean> {
    return this.dropItem(sessionId, contentId, { onlyUnfinished: false });
  }

  async clearItems(sessionId: string): Promise<number> {
    const keys = [this.keys.session(sessionId), this.keys.timeline(sessionId), this.keys.uploads, this.keys.trash];
    const removed = await this.redisDo('clear items', () => CLEAR_ITEMS.run(this.redis, keys, [sessionId, this.keys.prefix, Date.now(), blobsId()]));
    for (const key of this.blobs.keys()) if (key.startsWith(`${sessionId}/`)) this.blobs.delete(key);
    return Number(removed);
  }

  async usage(sessionId: string): Promise<SessionUsage> {
    const [bytes, items] = await this.redisDo('usage', () => this.redis.hmget(this.keys.session(sessionId), 'bytes', 'items'));
    return { bytes: Number(bytes ?? 0), items: Number(items ?? 0) };
  }

  async claimUpload(sessionId: string, contentId: string, now: number): Promise<{ generation: number; missing: number[] } | undefined> {
    const keys = [this.keys.item(sessionId, contentId), this.keys.chunks(sessionId, contentId), this.keys.uploads];
    const reply = (await this.redisDo('claim upload', () =>
      CLAIM_UPLOAD.runBuffer(this.redis, keys, [now, uploadMember(sessionId, contentId)]),
    )) as [Buffer, number, Buffer, number, Buffer];
    if (reply[0].toString() !== 'OK') return undefined;
    const [, generation, blobs, total, bitmap] = reply;
    this.remember(sessionId, contentId, blobs.toString());
    return { generation, missing: missingFrom(bitmap, total) };
  }

  async releaseUpload(sessionId: string, contentId: string, generation: number, now: number): Promise<void> {
    const keys = [this.keys.item(sessionId, contentId), this.keys.uploads];
    await this.redisDo('release upload', () => RELEASE_UPLOAD.run(this.redis, keys, [generation, now, uploadMember(sessionId, contentId)]));
  }

  async stalledUploads(cutoff: number): Promise<UploadRef[]> {
    const members = await this.redisDo('stalled uploads', () => this.redis.zrangebyscore(this.keys.uploads, '-inf', `(${cutoff}`));
    return members.map(parseUploadMember);
  }

  async discardUpload(sessionId: string, contentId: string, stalledBefore?: number): Promise<boolean> {
    return this.dropItem(sessionId, contentId, { onlyUnfinished: true, stalledBefore });
  }

  async purgeDeleted(): Promise<void> {
    const cutoff = Date.now() - (this.options.purgeGraceMs ?? PURGE_GRACE_MS);
    const due = await this.redisDo('list deleted', () => this.redis.zrangebyscore(this.keys.trash, '-inf', cutoff, 'LIMIT', 0, 100));
    for (const prefix of due) {
      await guarded('the object store', this.log, 'purge', () => this.objects.deletePrefix(`${this.objectPrefix}${prefix}`));
      await this.redisDo('purged', () => this.redis.zrem(this.keys.trash, prefix));
    }
  }

  private async dropItem(sessionId: string, contentId: string, when: { onlyUnfinished: boolean; stalledBefore?: number | undefined }): Promise<boolean> {
    const keys = [
      this.keys.item(sessionId, contentId), this.keys.chunks(sessionId, contentId), this.keys.session(sessionId),
      this.keys.timeline(sessionId), this.keys.uploads, this.keys.trash,
    ];
    const args = [contentId, uploadMember(sessionId, contentId), Date.now(), when.onlyUnfinished ? '1' : '0', when.stalledBefore ?? ''];
    const removed = await this.redisDo('remove item', () => REMOVE_ITEM.run(this.redis, keys, args));
    if (removed === 1) this.blobs.delete(`${sessionId}/${contentId}`);
    return removed === 1;
  }

  private objectKey(blobs: string, index: number, suffix: number): string {
    return `${this.objectPrefix}${blobs}/${index}.${suffix.toString(16)}`;
  }

  /** An object nobody will read; also purged with its item's prefix if this fails. */
  private deleteObject(key: string): void {
    void this.objects.delete(key).catch(() => undefined);
  }

  private remember(sessionId: string, contentId: string, blobs: string): void {
    if (this.blobs.size >= BLOBS_CACHE_SIZE) this.blobs.delete(this.blobs.keys().next().value!);
    this.blobs.set(`${sessionId}/${contentId}`, blobs);
  }

  private async blobsOf(sessionId: string, contentId: string): Promise<string | undefined> {
    const known = this.blobs.get(`${sessionId}/${contentId}`);
    if (known) return known;
    const blobs = await this.redisDo('find item', () => this.redis.hget(this.keys.item(sessionId, contentId), 'blobs'));
    if (blobs) this.remember(sessionId, contentId, blobs);
    return blobs ?? undefined;
  }
}
