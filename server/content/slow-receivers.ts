/**
 * Slow receivers: a member whose connection already has more than
 * SOCKET_BUFFER_BYTES waiting to be sent is not pushed more chunks or items
 * (the node would otherwise buffer without limit; fetch replies: fetch-gate.ts). Once the chunk is stored it is told
 * `chunk-available` instead, a few bytes, and fetches the chunk at its own
 * pace, so fast members are never held to the slowest one's speed.
 *
 * A member that fetches a chunk of an item still being uploaded, other than
 * the newest stored, is catching up on it (its reader fell behind and it
 * dropped pushed chunks, or some were held back): that item's chunks are held
 * back from it too until it fetches the newest stored one. Pushed as well,
 * they came twice, once pushed (and dropped: its buffer was full) and once
 * fetched; a receiving browser that fell behind fell further behind that
 * way and fetched 1,143-1,967 of the 2,048 chunks of a 1 GiB file.
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

/** Chunks held back are forgotten after this long (their `chunk-available` never came: the upload failed). */
const FORGET_AFTER_MS = 5 * 60_000;

export class SlowReceivers {
  /** chunk -> the connections it was held back from, and when. */
  private readonly held = new Map<string, { since: number; ids: Set<string> }>();
  /** Items still being uploaded -> the connections catching up on them (fetching), and since when. */
  private readonly catchingUp = new Map<string, Map<string, number>>();
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
    const catching = this.catchingUp.get(itemKey(found.ref));
    return (socket) => {
      const member = this.socketOf(socket.id);
      if (!member || (!catching?.has(socket.id) && queuedBytes(member) <= this.capBytes)) return true;
      let waiting = this.held.get(key);
      if (!waiting) {
        waiting = { since: Date.now(), ids: new Set() };
        this.held.set(key, waiting);
      }
      waiting.ids.add(socket.id);
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
   * `storedChunks` are stored: below the newest it is catching up, and the
   * item's chunks are held back from it; at the newest, pushed again.
   */
  fetched(id: string, ref: ChunkRef, storedChunks: number): void {
    const key = itemKey(ref);
    let catching = this.catchingUp.get(key);
    if (ref.chunkIndex + 1 >= storedChunks) {
      catching?.delete(id);
      if (catching?.size === 0) this.catchingUp.delete(key);
      return;
    }
    if (!catching) this.catchingUp.set(key, (catching = new Map()));
    if (!catching.has(id)) catching.set(id, Date.now());
  }

  /** The item's upload is over (complete, cancelled, removed): nothing more is pushed. */
  ended(sessionId: string, contentId: string): void {
    this.catchingUp.delete(itemKey({ sessionId, contentId }));
  }

  /** A connection that is gone. */
  forget(id: string): void {
    this.toldBehind.delete(id);
    for (const [key, catching] of this.catchingUp) {
      catching.delete(id);
      if (catching.size === 0) this.catchingUp.delete(key);
    }
  }

  /** Whether any connection here waits for this chunk's `chunk-available`. */
  isWaiting(ref: ChunkRef): boolean {
    return this.held.has(refKey(ref));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.held.clear();
    this.catchingUp.clear();
    this.toldBehind.clear();
  }

  private forgetOld(cutoff: number): void {
    for (const [key, { since }] of this.held) if (since < cutoff) this.held.delete(key);
    for (const [key, catching] of this.catchingUp) {
      for (const [id, since] of catching) if (since < cutoff) catching.delete(id);
      if (catching.size === 0) this.catchingUp.delete(key);
    }
  }
}
