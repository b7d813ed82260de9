/**
 * Slow receivers: a member whose connection already has more than
 * SOCKET_BUFFER_BYTES waiting to be sent is not pushed more chunks or items
 * (the node would otherwise buffer without limit; fetch replies: fetch-gate.ts). Once the chunk is stored it is told
 * `chunk-available` instead, a few bytes, and fetches the chunk at its own
 * pace, so fast members are never held to the slowest one's speed.
 *
 * A member that fetches a chunk of an item still being uploaded that was not
 * held back from it, other than the newest stored, is catching up on it: its
 * reader fell behind and it dropped chunks pushed to it (or it missed them):
 * that item's chunks are held back from it too until it fetches the newest
 * stored one. Pushed as well, they came twice, pushed (and dropped: its
 * buffer was full) and fetched; a receiving browser that fell behind fell
 * further behind that way and fetched 1,143-1,967 of the 2,048 chunks of a
 * 1 GiB file. Fetching a chunk that was held back is the slow connection's
 * path above, not catching up: pushes go on once its connection drains.
 *
 * Every node decides for its own connections when it delivers a chunk,
 * whether the chunk was sent on this node or came from another one through
 * Redis (the adapter asks `recipients()` for each broadcast). The sender's
 * node broadcasts `chunk-available` to the session once the chunk is stored;
 * each node hands it only to the connections it held that chunk back from.
 */
import { PacketType, type Packet } from '../../protocol/parser.ts';
import type { RecipientFilter } from '../io/binary-frame-adapter.ts';
import type { IoSocket } from '../io/types.ts';

/** Bytes queued for a connection: Engine.IO's write buffer plus the WebSocket's. */
export function queuedBytes(socket: IoSocket): number {
  const conn = socket.conn as unknown as {
    writeBuffer: Array<{ data?: unknown }>;
    transport: { socket?: { bufferedAmount?: number } };
  };
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
  }
  return bytes;
}

interface ChunkRef {
  sessionId: string;
  contentId: string;
  chunkIndex: number;
}

/** The chunk a `chunk` or `chunk-available` packet is about, if it is one of those. */
export function chunkEvent(packet: Packet): { event: 'chunk' | 'chunk-available'; ref: ChunkRef } | undefined {
  // nsp is not set yet when an adapter is first handed a broadcast.
  if (packet.type !== PacketType.EVENT || (packet.nsp !== undefined && packet.nsp !== '/') || !Array.isArray(packet.data)) return undefined;
  const [event, payload] = packet.data as [unknown, Record<string, unknown> | undefined];
  if (event === 'chunk') {
    const chunk = payload?.chunk as Record<string, unknown> | undefined;
    return { event, ref: { sessionId: String(payload?.sessionId), contentId: String(chunk?.contentId), chunkIndex: Number(chunk?.chunkIndex) } };
  }
  if (event === 'chunk-available') {
    return { event, ref: { sessionId: String(payload?.sessionId), contentId: String(payload?.contentId), chunkIndex: Number(payload?.chunkIndex) } };
  }
  return undefined;
}

/** Broadcasts that carry an item's descriptor and inline data. */
function isItemEvent(packet: Packet): boolean {
  if (packet.type !== PacketType.EVENT || (packet.nsp !== undefined && packet.nsp !== '/') || !Array.isArray(packet.data)) return false;
  const event: unknown = packet.data[0];
  return event === 'content' || event === 'content-updated';
}

const refKey = ({ sessionId, contentId, chunkIndex }: ChunkRef) => `${sessionId}/${contentId}/${chunkIndex}`;
const itemKey = ({ sessionId, contentId }: Omit<ChunkRef, 'chunkIndex'>) => `${sessionId}/${contentId}`;

/** A connection on an item still being uploaded, once a chunk of it was held back from it or fetched. */
interface Lag {
  /** Last held back from or started catching up: a lag untouched for FORGET_AFTER_MS is swept. */
  since: number;
  /** Fetching chunks it dropped or missed: the item's chunks are held back from it. */
  catchingUp: boolean;
  /** Chunks held back from it, not fetched yet. */
  heldBack: Set<number>;
}

/** Chunks held back are forgotten after this long (their `chunk-available` never came: the upload failed). */
const FORGET_AFTER_MS = 5 * 60_000;

export class SlowReceivers {
  /** chunk -> the connections it was held back from, and when. */
  private readonly held = new Map<string, { since: number; ids: Set<string> }>();
  /** Items still being uploaded -> connections held back from or fetching them. */
  private readonly lags = new Map<string, Map<string, Lag>>();
  /** Connections told `resync` (reason `behind`) that have not caught up since. */
  private readonly toldBehind = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly capBytes: number,
    private readonly socketOf: (id: string) => IoSocket | undefined,
    private readonly onDeferred: (count: number) => void = () => undefined,
    private readonly onDropped: (count: number) => void = () => undefined,
  ) {
    this.sweeper = setInterval(() => this.forgetOld(Date.now() - FORGET_AFTER_MS), 60_000);
    this.sweeper.unref();
  }

  /** The adapter's question for every broadcast delivered on this node. */
  recipients(packet: Packet): RecipientFilter {
    const found = chunkEvent(packet);
    if (!found) return isItemEvent(packet) ? (socket) => this.takesItem(socket.id) : undefined;
    const key = refKey(found.ref);
    if (found.event === 'chunk-available') {
      const waiting = this.held.get(key);
      if (!waiting) return null;
      this.held.delete(key);
      return (socket) => waiting.ids.has(socket.id);
    }
    const item = itemKey(found.ref);
    const lags = this.lags.get(item);
    return (socket) => {
      const member = this.socketOf(socket.id);
      if (!member || (!lags?.get(socket.id)?.catchingUp && queuedBytes(member) <= this.capBytes)) return true;
      let waiting = this.held.get(key);
      if (!waiting) {
        waiting = { since: Date.now(), ids: new Set() };
        this.held.set(key, waiting);
      }
      waiting.ids.add(socket.id);
      this.lagOf(item, socket.id).heldBack.add(found.ref.chunkIndex);
      this.onDeferred(1);
      return false;
    };
  }

  /**
   * An item (`content`, `content-updated`: up to 320 KiB each) is not queued
   * for a connection past the bound: it is dropped, and the member told once
   * (`resync`, reason `behind`) to join again, which brings the items it
   * missed. It is told again only after it caught up in between.
   */
  private takesItem(id: string): boolean {
    const member = this.socketOf(id);
    if (!member || queuedBytes(member) <= this.capBytes) {
      this.toldBehind.delete(id);
      return true;
    }
    if (!this.toldBehind.has(id)) {
      this.toldBehind.add(id);
      // Not from inside the adapter's delivery loop.
      queueMicrotask(() => member.emit('resync', { reason: 'behind' }));
    }
    this.onDropped(1);
    return false;
  }

  /**
   * Connection `id` fetched a chunk of an item still being uploaded, of which
   * `storedChunks` are stored: one not held back from it and below the
   * newest, it is catching up, and the item's chunks are held back from it;
   * the newest, it has caught up and is pushed them again.
   */
  fetched(id: string, ref: ChunkRef, storedChunks: number): void {
    const item = itemKey(ref);
    const lag = this.lags.get(item)?.get(id);
    const wasHeldBack = lag?.heldBack.delete(ref.chunkIndex) === true;
    if (ref.chunkIndex + 1 >= storedChunks) {
      if (lag) lag.catchingUp = false;
    } else if (!wasHeldBack) {
      this.lagOf(item, id).catchingUp = true;
    }
    this.settle(item, id);
  }

  /** The item's upload is over (complete, cancelled, removed): nothing more is pushed. */
  ended(sessionId: string, contentId: string): void {
    this.lags.delete(itemKey({ sessionId, contentId }));
  }

  /** A connection that is gone. */
  forget(id: string): void {
    this.toldBehind.delete(id);
    for (const item of [...this.lags.keys()]) {
      this.lags.get(item)!.delete(id);
      this.settle(item, id);
    }
  }

  /** The connection's lag on the item, made if new; touched, so the sweep leaves it while it is in use. */
  private lagOf(item: string, id: string): Lag {
    let lags = this.lags.get(item);
    if (!lags) this.lags.set(item, (lags = new Map()));
    let lag = lags.get(id);
    if (!lag) lags.set(id, (lag = { since: 0, catchingUp: false, heldBack: new Set() }));
    lag.since = Date.now();
    return lag;
  }

  /** Forgets what no longer matters: a connection neither catching up nor owed a chunk. */
  private settle(item: string, id: string): void {
    const lags = this.lags.get(item);
    const lag = lags?.get(id);
    if (lag && !lag.catchingUp && lag.heldBack.size === 0) lags!.delete(id);
    if (lags?.size === 0) this.lags.delete(item);
  }

  /** Whether any connection here waits for this chunk's `chunk-available`. */
  isWaiting(ref: ChunkRef): boolean {
    return this.held.has(refKey(ref));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.held.clear();
    this.lags.clear();
    this.toldBehind.clear();
  }

  private forgetOld(cutoff: number): void {
    for (const [key, { since }] of this.held) if (since < cutoff) this.held.delete(key);
    for (const [item, lags] of this.lags) {
      for (const [id, { since }] of lags) if (since < cutoff) lags.delete(id);
      if (lags.size === 0) this.lags.delete(item);
    }
  }
}
