/**
 * Slow receivers: a member whose connection already has more than
 * SOCKET_BUFFER_BYTES waiting to be sent is not pushed more chunks or items
 * (the node would otherwise buffer without limit; fetch replies: fetch-gate.ts). Once the chunk is stored it is told
 * `chunk-available` instead, a few bytes, and fetches the chunk at its own
 * pace, so fast members are never held to the slowest one's speed.
 *
 * A member that fetches a chunk of an item still being uploaded that was
 * pushed to it, other than the newest stored, is catching up on it: it
 * dropped the chunk (its reader fell behind and its buffer was full), so the
 * item's next chunks are held back from it too until it fetches the newest
 * stored one. Pushed as well, they came twice, pushed (and dropped) and
 * fetched; a receiving browser that fell behind fell further behind that way
 * and fetched 1,143-1,967 of the 2,048 chunks of a 1 GiB file. Fetching a
 * chunk held back from it (its connection was behind) or one it was never
 * pushed (it joined or reconnected during the upload) is not catching up.
 * "Newest" is by count (the chunks stored so far): with gaps (a resumed
 * upload) catching up may end a little early, never late.
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

/** How an item still being uploaded reached the connections on this node. */
interface Delivery {
  /** When a chunk of it was last relayed or fetched: an item untouched for FORGET_AFTER_MS is swept. */
  since: number;
  /** Connection -> the first index pushed to it: from there on it was pushed every chunk not held back. */
  pushedFrom: Map<string, number>;
  /** Connection -> chunks held back from it, not fetched yet. */
  heldBack: Map<string, Set<number>>;
  /** Connections catching up (fetching chunks they dropped): the item's chunks are held back from them. */
  catchingUp: Set<string>;
}

/** Chunks held back are forgotten after this long (their `chunk-available` never came: the upload failed). */
const FORGET_AFTER_MS = 5 * 60_000;

export class SlowReceivers {
  /** chunk -> the connections it was held back from, and when. */
  private readonly held = new Map<string, { since: number; ids: Set<string> }>();
  /** Items still being uploaded -> how they reached each connection. */
  private readonly deliveries = new Map<string, Delivery>();
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
    const delivery = this.deliveryOf(itemKey(found.ref));
    const index = found.ref.chunkIndex;
    return (socket) => {
      const member = this.socketOf(socket.id);
      if (!member) return true;
      if (!delivery.catchingUp.has(socket.id) && queuedBytes(member) <= this.capBytes) {
        if (!delivery.pushedFrom.has(socket.id)) delivery.pushedFrom.set(socket.id, index);
        return true;
      }
      let waiting = this.held.get(key);
      if (!waiting) {
        waiting = { since: Date.now(), ids: new Set() };
        this.held.set(key, waiting);
      }
      waiting.ids.add(socket.id);
      let heldBack = delivery.heldBack.get(socket.id);
      if (!heldBack) delivery.heldBack.set(socket.id, (heldBack = new Set()));
      heldBack.add(index);
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
   * `storedChunks` are stored: one pushed to it and below the newest, it is
   * catching up, and the item's chunks are held back from it; the newest, it
   * has caught up and is pushed them again.
   */
  fetched(id: string, ref: ChunkRef, storedChunks: number): void {
    const delivery = this.deliveries.get(itemKey(ref));
    if (!delivery || !this.socketOf(id)) return; // nothing of it relayed here, or the connection is gone
    delivery.since = Date.now();
    const heldBack = delivery.heldBack.get(id);
    const wasHeldBack = heldBack?.delete(ref.chunkIndex) === true;
    if (heldBack?.size === 0) delivery.heldBack.delete(id);
    if (ref.chunkIndex + 1 >= storedChunks) {
      delivery.catchingUp.delete(id);
      return;
    }
    const pushedFrom = delivery.pushedFrom.get(id);
    if (!wasHeldBack && pushedFrom !== undefined && ref.chunkIndex >= pushedFrom) delivery.catchingUp.add(id);
  }

  /** The item's upload is over (complete, cancelled, removed): nothing more is pushed. */
  ended(sessionId: string, contentId: string): void {
    this.deliveries.delete(itemKey({ sessionId, contentId }));
  }

  /** Every upload of the session is over (its items were cleared). */
  endedSession(sessionId: string): void {
    for (const item of this.deliveries.keys()) if (item.startsWith(`${sessionId}/`)) this.deliveries.delete(item);
  }

  /** A connection that is gone. */
  forget(id: string): void {
    this.toldBehind.delete(id);
    for (const delivery of this.deliveries.values()) {
      delivery.pushedFrom.delete(id);
      delivery.heldBack.delete(id);
      delivery.catchingUp.delete(id);
    }
  }

  private deliveryOf(item: string): Delivery {
    let delivery = this.deliveries.get(item);
    if (!delivery) this.deliveries.set(item, (delivery = { since: 0, pushedFrom: new Map(), heldBack: new Map(), catchingUp: new Set() }));
    delivery.since = Date.now();
    return delivery;
  }

  /** Whether any connection here waits for this chunk's `chunk-available`. */
  isWaiting(ref: ChunkRef): boolean {
    return this.held.has(refKey(ref));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.held.clear();
    this.deliveries.clear();
    this.toldBehind.clear();
  }

  private forgetOld(cutoff: number): void {
    for (const [key, { since }] of this.held) if (since < cutoff) this.held.delete(key);
    for (const [item, { since }] of this.deliveries) if (since < cutoff) this.deliveries.delete(item);
  }
}
