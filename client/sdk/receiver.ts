/**
 * Everything this client knows about the session's items from others: live
 * ones as they are announced, and stored ones from history. Routes what the
 * server sends (chunks, chunk-available, completion, cancellation, removal,
 * pin and rename) to them, and after a re-join reconciles them with what the
 * server holds now (items finished, removed, renamed or shared while this
 * client was away). Payloads from the server are validated like any other
 * input: the server is trusted to relay, not to be well-formed.
 */
import * as v from 'valibot';
import { isErrorCode } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { ChunkSchema, ContentHeaderSchema, IdSchema, parsePayload } from '../../protocol/schemas.ts';
import { decryptDescriptor, decryptName } from '../../protocol/crypto/index.ts';
import type { SessionKeys } from '../../protocol/crypto/index.ts';
import { ShareError, cancelledError, toShareError } from './errors.ts';
import { IncomingTransfer, type ServerState, type TransferContext } from './incoming-transfer.ts';
import { Item } from './received-item.ts';
import type { ClientInfo } from '../../protocol/events.ts';
import type { ContentUpdate, HistoryPage, Progress, ReceivedItem, UploadProgress } from './types.ts';

const bytes = v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be binary');
const RelayedHeaderSchema = v.object({
  ...ContentHeaderSchema.entries,
  senderId: v.string(),
  senderName: v.string(),
  timestamp: v.number(),
});
const ItemHeaderSchema = v.object({
  ...RelayedHeaderSchema.entries,
  pinned: v.boolean(),
  name: v.optional(v.object({ encryptedName: bytes, iv: bytes })),
  receivedChunks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  complete: v.boolean(),
});
type ItemHeader = v.InferOutput<typeof ItemHeaderSchema>;
type RelayedHeader = v.InferOutput<typeof RelayedHeaderSchema>;
const RelayedChunkSchema = v.object({ sessionId: IdSchema, chunk: ChunkSchema, senderId: v.string() });
const ContentRefSchema = v.object({ sessionId: IdSchema, contentId: IdSchema, code: v.optional(v.string()) });
const ChunkAvailableSchema = v.object({ sessionId: IdSchema, contentId: IdSchema, chunkIndex: v.pipe(v.number(), v.integer(), v.minValue(0)) });
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const UploadProgressSchema = v.object({ sessionId: IdSchema, contentId: IdSchema, receivedChunks: count, totalChunks: count });
const UpdatedSchema = v.object({ sessionId: IdSchema, item: ItemHeaderSchema });
const PageSchema = v.object({ items: v.array(v.unknown()), hasMore: v.boolean() });

type Session = { sessionId: string; keys: SessionKeys };

export interface ReceiverHooks {
  /** The session being received, if any; items of any other session are ignored. */
  session(): Session | undefined;
  /** How transfers of the current session fetch chunks and wait for the connection. */
  context(): TransferContext | undefined;
  item(item: ReceivedItem): void;
  progress(progress: Progress): void;
  error(error: ShareError): void;
  cancelled(contentId: string, code: ErrorCode): void;
  removed(contentId: string): void;
  cleared(): void;
  updated(update: ContentUpdate): void;
  completed(contentId: string): void;
  uploadProgress(progress: UploadProgress): void;
  prefetchBytes: number;
}

interface Entry {
  readonly transfer: IncomingTransfer;
  readonly timestamp: number;
  /** Resolves with the item once its descriptor is decrypted (undefined if it cannot be). */
  readonly item: Promise<Item | undefined>;
  pinned: boolean;
  renamed: string | undefined;
  /** The encrypted name last applied, so an unchanged rename is not decrypted again. */
  nameCipher: Uint8Array | undefined;
}

/** A page listing function: `before` is the last item of the previous page. */
export type ListPage = (before: string) => Promise<unknown>;

/** How many extra pages a re-join may read to find items it was receiving. */
const MAX_RECONCILE_PAGES = 20;

export class Receiver {
  #sessionId = '';
  readonly #entries = new Map<string, Entry>();
  /** Every item id seen in the current session: a replayed header must not show an item twice. */
  readonly #seen = new Set<string>();
  /** Members now connected, to tell a sender that dropped (it may resume) from one that is silent. */
  readonly #members = new Set<string>();
  /** Newest timestamp seen: items after it found on a re-join were shared while we were away. */
  #newest = 0;
  readonly #own = new Set<string>();
  readonly #prefetched = new WeakSet<Entry>();

  constructor(private readonly hooks: ReceiverHooks) {}

  /** Joining `sessionId` (before the ack: items may arrive first). Another session's items are forgotten. */
  begin(sessionId: string): void {
    if (sessionId === this.#sessionId) return;
    this.failAll(cancelledError(undefined, 'Left the session'));
    this.#sessionId = sessionId;
    this.#seen.clear();
    this.#own.clear();
    this.#newest = 0;
  }

  /** The members as a (re-)join returned them. */
  members(clients: ClientInfo[]): void {
    this.#members.clear();
    for (const client of clients) if (typeof client?.id === 'string') this.#members.add(client.id);
  }

  memberJoined(id: string): void {
    this.#members.add(id);
  }

  /** The sender left: whatever it was sending stays pending (the server keeps it for a resume). */
  memberLeft(id: string): void {
    this.#members.delete(id);
    for (const { transfer } of this.#entries.values()) if (transfer.senderId === id) transfer.senderLeft();
  }

  /** Our uploads: never news, never pushed to us. */
  markOwn(contentId: string): void {
    this.#own.add(contentId);
    this.#seen.add(contentId);
  }

  onContent(payload: unknown): void {
    const session = this.#sessionOf(payload);
    if (!session) return;
    const parsed = parsePayload(RelayedHeaderSchema, (payload as { content?: unknown }).content);
    if (!parsed.ok) {
      this.hooks.error(new ShareError('INVALID_PAYLOAD', `The server relayed a malformed item: ${parsed.reason}`));
      return;
    }
    const header = parsed.value;
    if (this.#seen.has(header.contentId)) return; // a replay (SPEC §5) cannot restart or duplicate an item
    const entry = this.#create(header, { stored: header.totalChunks === 0, receivedChunks: 0, senderPresent: this.#members.has(header.senderId) });
    if (!entry) return;
    this.#announce(entry, header.totalChunks === 0);
  }

  onChunk(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    const parsed = parsePayload(RelayedChunkSchema, payload);
    if (!parsed.ok) {
      this.hooks.error(new ShareError('INVALID_PAYLOAD', `The server relayed a malformed chunk: ${parsed.reason}`));
      return;
    }
    // The sender may have resumed from a new connection: the server vouches for who may send, the AAD for what.
    const { chunk, senderId } = parsed.value;
    this.#entries.get(chunk.contentId)?.transfer.push(chunk, this.#members.has(senderId));
  }

  /** chunk-available: we were too far behind to be pushed this chunk; it is stored. */
  onChunkAvailable(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    const parsed = parsePayload(ChunkAvailableSchema, payload);
    if (parsed.ok) this.#entries.get(parsed.value.contentId)?.transfer.available(parsed.value.chunkIndex);
  }

  /** upload-progress: how many chunks of an unfinished item the server holds. */
  onUploadProgress(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    const parsed = parsePayload(UploadProgressSchema, payload);
    if (!parsed.ok) return;
    const { contentId, receivedChunks, totalChunks } = parsed.value;
    this.#entries.get(contentId)?.transfer.uploadProgress(receivedChunks);
    this.hooks.uploadProgress({ contentId, receivedChunks, totalChunks });
  }

  /** content-complete: every chunk is stored (ours too: the server also tells the sender). */
  onComplete(payload: unknown): void {
    const ref = this.#refOf(payload);
    if (!ref) return;
    this.#entries.get(ref.contentId)?.transfer.markStored();
    this.hooks.completed(ref.contentId);
  }

  /** content-cancelled: the sender stopped, or the server refused the rest. */
  onCancelled(payload: unknown): void {
    const ref = this.#refOf(payload);
    if (!ref) return;
    const code: ErrorCode = isErrorCode(ref.code) ? ref.code : 'CANCELLED';
    this.#drop(ref.contentId, new ShareError(code, 'The sender stopped sharing this item', { contentId: ref.contentId }));
  }

  /** content-removed: a member deleted the item; an unfinished one will never complete. */
  onRemoved(payload: unknown): void {
    const ref = this.#refOf(payload);
    if (!ref) return;
    this.forget(ref.contentId);
    this.hooks.removed(ref.contentId);
  }

  onCleared(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    this.clearAll();
    this.hooks.cleared();
  }

  /** content-updated: pinned, unpinned or renamed. */
  onUpdated(payload: unknown): void {
    const session = this.#sessionOf(payload);
    if (!session) return;
    const parsed = parsePayload(UpdatedSchema, payload);
    if (!parsed.ok) return;
    void this.#describe(session, parsed.value.item).then((update) => {
      if (update && this.#sessionId === session.sessionId) this.hooks.updated(update);
    });
  }

  /** Our own pin or rename, as the server acknowledged it: applied without an event. */
  async applyUpdate(raw: unknown): Promise<void> {
    const session = this.hooks.session();
    const parsed = parsePayload(ItemHeaderSchema, raw);
    if (session && parsed.ok && this.#entries.has(parsed.value.contentId)) await this.#describe(session, parsed.value);
  }

  /** We removed it: stop receiving it and forget it. */
  forget(contentId: string): void {
    const entry = this.#entries.get(contentId);
    if (!entry) return;
    entry.transfer.fail(cancelledError(contentId, 'This item was removed'));
    this.#entries.delete(contentId);
  }

  /** Everything is gone (cleared by us or another member). */
  clearAll(): void {
    this.failAll(cancelledError(undefined, 'The session was cleared'));
  }

  /** Drops an item being received, locally (the protocol has no receiver-side cancel). */
  discard(contentId: string): boolean {
    return this.#entries.get(contentId)?.transfer.fail(cancelledError(contentId, 'This item was discarded')) ?? false;
  }

  /** Leaving, closing, or the session refused us: nothing in progress can complete. Forgets every item. */
  failAll(error: ShareError): void {
    for (const [contentId, entry] of [...this.#entries]) {
      entry.transfer.fail(new ShareError(error.code, error.message, { contentId }));
    }
    this.#entries.clear();
  }

  /** Our connection went (false) or the session was re-joined (true). */
  link(up: boolean): void {
    for (const { transfer } of this.#entries.values()) transfer.link(up);
  }

  /** A page of history as items, in the server's order; items that cannot be decrypted are reported and left out. */
  async adopt(page: unknown): Promise<HistoryPage> {
    const session = this.hooks.session();
    const parsed = parsePayload(PageSchema, page);
    if (!session || !parsed.ok) throw new ShareError('INTERNAL', 'The server sent a malformed history page');
    const items = await Promise.all(parsed.value.items.map((raw) => this.#fromHeader(session, raw)));
    return { items: items.filter((item): item is Item => item !== undefined), hasMore: parsed.value.hasMore };
  }

  /**
   * After a re-join: bring every known item up to date with the server's
   * first page (and further pages while items being received are not found):
   * finished uploads become complete, vanished items are removed, renames and
   * pins are applied, and items shared while we were away are announced.
   */
  async reconcile(first: unknown, list: ListPage): Promise<void> {
    const session = this.hooks.session();
    const parsedFirst = parsePayload(PageSchema, first);
    if (!session || !parsedFirst.ok) return;
    const newestBefore = this.#newest;
    const headers = new Map<string, ItemHeader>();
    const firstIds: string[] = [];
    let hasMore = parsedFirst.value.hasMore;
    /** Items at or after this timestamp (and all pinned ones) are certainly listed if stored. */
    let coveredFrom = Infinity;
    const read = (items: unknown[]) => {
      let last: string | undefined;
      for (const raw of items) {
        const header = parsePayload(ItemHeaderSchema, raw);
        if (!header.ok) continue;
        headers.set(header.value.contentId, header.value);
        if (!header.value.pinned) coveredFrom = Math.min(coveredFrom, header.value.timestamp);
        last = header.value.contentId;
      }
      return last;
    };
    let cursor = read(parsedFirst.value.items);
    for (const id of headers.keys()) firstIds.push(id);
    const missing = () => [...this.#entries].some(([id, e]) => e.transfer.settled === 'pending' && !headers.has(id));
    for (let pages = 0; hasMore && cursor !== undefined && missing() && pages < MAX_RECONCILE_PAGES; pages++) {
      const next = parsePayload(PageSchema, await list(cursor));
      if (!next.ok || this.#sessionId !== session.sessionId) return;
      hasMore = next.value.hasMore;
      cursor = read(next.value.items) ?? undefined;
    }
    if (!hasMore) coveredFrom = -Infinity;

    const gone: string[] = [];
    for (const [contentId, entry] of [...this.#entries]) {
      const header = headers.get(contentId);
      if (header) {
        entry.transfer.update(this.#stateOf(header));
        const update = await this.#describe(session, header);
        if (update && this.#sessionId === session.sessionId) this.hooks.updated(update);
      } else if (entry.timestamp >= coveredFrom || (entry.pinned && coveredFrom !== Infinity)) {
        gone.push(contentId);
      }
    }
    if (gone.length > 0 && gone.length === this.#entries.size && headers.size === 0 && !hasMore) {
      this.clearAll();
      this.hooks.cleared();
    } else {
      for (const contentId of gone) {
        const entry = this.#entries.get(contentId);
        const pending = entry?.transfer.settled === 'pending';
        this.forget(contentId);
        if (!entry?.transfer.announced) continue; // never shown: nothing to take back
        // Still arriving: it was cancelled (or removed) while we were away; otherwise it was removed.
        if (pending) this.hooks.cancelled(contentId, 'CANCELLED');
        else this.hooks.removed(contentId);
      }
    }
    // Shared while we were away (newer than anything seen): announce like a live item.
    for (const contentId of firstIds.reverse()) {
      const header = headers.get(contentId)!;
      if (this.#seen.has(contentId) || header.timestamp <= newestBefore) continue;
      const entry = await this.#entryFor(session, header);
      if (entry) this.#announce(entry, false);
    }
  }

  #stateOf(header: ItemHeader): ServerState {
    const own = this.#own.has(header.contentId);
    return {
      stored: header.complete || header.totalChunks === 0,
      receivedChunks: header.receivedChunks,
      senderPresent: !own && this.#members.has(header.senderId),
    };
  }

  /** Emits `content` once the descriptor is open (and a progress event for inline items). */
  #announce(entry: Entry, inline: boolean): void {
    void entry.item.then((item) => {
      if (!item || this.#entries.get(item.contentId) !== entry) return;
      // Announced even if it already failed: its readers then reject with the reason.
      entry.transfer.announced = true;
      this.hooks.item(item);
      if (inline) this.hooks.progress({ contentId: item.contentId, direction: 'download', bytes: item.size, total: item.size });
    });
  }

  async #fromHeader(session: Session, raw: unknown): Promise<Item | undefined> {
    const parsed = parsePayload(ItemHeaderSchema, raw);
    if (!parsed.ok) {
      this.hooks.error(new ShareError('INVALID_PAYLOAD', `The server sent a malformed history item: ${parsed.reason}`));
      return undefined;
    }
    const entry = await this.#entryFor(session, parsed.value);
    const item = await entry?.item;
    if (!entry || !item) return undefined;
    entry.transfer.announced = true;
    return item;
  }

  /** The entry for a stored item, created or brought up to date (state, pin, name). */
  async #entryFor(session: Session, header: ItemHeader): Promise<Entry | undefined> {
    let entry = this.#entries.get(header.contentId);
    if (entry) entry.transfer.update(this.#stateOf(header));
    else entry = this.#create(header, this.#stateOf(header));
    if (!entry) return undefined;
    entry.pinned = header.pinned;
    await this.#applyName(session, entry, header);
    const item = await entry.item;
    if (item) {
      item.pinned = entry.pinned;
      item.renamed = entry.renamed;
      // Small items are fetched at once, so they are there when shown; larger ones when read.
      if (header.totalChunks > 0 && item.size <= this.hooks.prefetchBytes && !this.#prefetched.has(entry)) {
        this.#prefetched.add(entry);
        entry.transfer.claim();
      }
    }
    return entry;
  }

  /** The item's state after a pin or rename, applied to what we hold; undefined when it cannot be read. */
  async #describe(session: Session, header: ItemHeader): Promise<ContentUpdate | undefined> {
    const entry = this.#entries.get(header.contentId);
    if (entry) {
      const before = { pinned: entry.pinned, renamed: entry.renamed };
      entry.pinned = header.pinned;
      await this.#applyName(session, entry, header);
      const item = await entry.item;
      if (item) {
        item.pinned = entry.pinned;
        item.renamed = entry.renamed;
      }
      if (before.pinned === entry.pinned && before.renamed === entry.renamed) return undefined;
      const name = entry.renamed ?? (item ? item.name : undefined);
      return name === undefined ? undefined : { contentId: header.contentId, pinned: entry.pinned, name };
    }
    // Not received here (e.g. one of ours, or not paged to yet): read the name from the header itself.
    try {
      const { keys } = session;
      const name = header.name
        ? await decryptName(keys.metadataKey, session.sessionId, header.contentId, header.name.iv, header.name.encryptedName)
        : (await decryptDescriptor(keys.metadataKey, session.sessionId, header.contentId, header.totalChunks, header.iv, header.encryptedDescriptor)).name;
      return { contentId: header.contentId, pinned: header.pinned, name };
    } catch (error) {
      this.hooks.error(toShareError(error, 'INTEGRITY', header.contentId));
      return undefined;
    }
  }

  async #applyName(session: Session, entry: Entry, header: ItemHeader): Promise<void> {
    const cipher = header.name?.encryptedName;
    if (cipher === entry.nameCipher || (cipher && entry.nameCipher && bytesSame(cipher, entry.nameCipher))) return;
    if (!header.name) {
      entry.renamed = undefined;
      entry.nameCipher = undefined;
      return;
    }
    try {
      const { keys, sessionId } = session;
      entry.renamed = await decryptName(keys.metadataKey, sessionId, header.contentId, header.name.iv, header.name.encryptedName);
      entry.nameCipher = Uint8Array.from(header.name.encryptedName);
    } catch (error) {
      // A name that does not authenticate is ignored: the item keeps the name it had.
      this.hooks.error(toShareError(error, 'INTEGRITY', header.contentId));
    }
  }

  #create(header: RelayedHeader, state: ServerState): Entry | undefined {
    const context = this.hooks.context();
    if (!context) return undefined;
    const { contentId } = header;
    const transfer = new IncomingTransfer(header, state, context, {
      onProgress: (bytes, total) => this.hooks.progress({ contentId, direction: 'download', bytes, total }),
      onVerifyFailure: (error) => this.hooks.error(error),
    });
    const entry: Entry = {
      transfer,
      timestamp: header.timestamp,
      item: transfer.descriptor.then(
        (descriptor) => new Item(header, descriptor, transfer),
        () => undefined, // reported through onVerifyFailure
      ),
      pinned: false,
      renamed: undefined,
      nameCipher: undefined,
    };
    void entry.item.then((item) => {
      if (!item) return;
      item.pinned = entry.pinned;
      item.renamed = entry.renamed;
    });
    this.#entries.set(contentId, entry);
    this.#seen.add(contentId);
    this.#newest = Math.max(this.#newest, header.timestamp);
    return entry;
  }

  /** Stops an item and forgets it; tells the app if it had been given the item. */
  #drop(contentId: string, error: ShareError): void {
    const entry = this.#entries.get(contentId);
    if (!entry) return;
    this.#entries.delete(contentId);
    if (entry.transfer.fail(error) && entry.transfer.announced) this.hooks.cancelled(contentId, error.code);
  }

  #sessionOf(payload: unknown): Session | undefined {
    const session = this.hooks.session();
    const sessionId = typeof payload === 'object' && payload !== null ? (payload as { sessionId?: unknown }).sessionId : undefined;
    return session && session.sessionId === sessionId && session.sessionId === this.#sessionId ? session : undefined;
  }

  #refOf(payload: unknown): { contentId: string; code?: string | undefined } | undefined {
    if (!this.#sessionOf(payload)) return undefined;
    const parsed = parsePayload(ContentRefSchema, payload);
    return parsed.ok ? parsed.value : undefined;
  }
}

function bytesSame(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
