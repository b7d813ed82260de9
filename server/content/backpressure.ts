/**
 * Slow receivers: a member whose connection already has more than
 * SOCKET_BUFFER_BYTES waiting to be sent is not pushed more chunks (the server
 * would otherwise buffer without limit). It is told `chunk-available` instead,
 * a few bytes, and fetches the chunk from the store at its own pace, so fast
 * members are never held to the slowest one's speed.
 */
import type { IoServer, IoSocket } from '../io/types.ts';

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

/** Members of `room` on this node, other than `senderId`, with more than `cap` bytes queued. */
export function laggingMembers(io: IoServer, room: string, senderId: string, cap: number): string[] {
  const lagging: string[] = [];
  for (const id of io.of('/').adapter.rooms.get(room) ?? []) {
    if (id === senderId) continue;
    const member = io.of('/').sockets.get(id);
    if (member && queuedBytes(member) > cap) lagging.push(id);
  }
  return lagging;
}
