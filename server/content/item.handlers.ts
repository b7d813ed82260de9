/**
 * Operations on stored items: page through history, fetch chunks on demand,
 * remove, clear, pin and rename. Each change is broadcast to the session.
 * Only members of a session can reach its items.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import { DEFAULT_HISTORY_PAGE } from '../../protocol/limits.ts';
import {
  ContentRefSchema,
  FetchChunkPayloadSchema,
  ListContentPayloadSchema,
  PinContentPayloadSchema,
  RenameContentPayloadSchema,
  SessionRefSchema,
} from '../../protocol/schemas.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';
import { requireMember } from '../sessions/session.handlers.ts';
import { fetchGateOf, readReplyBytes } from './fetch-gate.ts';
import { toHeader } from './item-header.ts';

export function registerItemHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { store, uploads, log } = ctx;
  const others = (sessionId: string) => socket.to(sessionRoom(sessionId));
  const touch = (sessionId: string) => store.touchSession(sessionId, Date.now());
  // A connection that does not read its answers gets RATE_LIMITED, not more stored bytes (fetch-gate.ts).
  const fetches = fetchGateOf(socket, ctx.config.limits);

  handle(socket, ctx, 'list-content', ListContentPayloadSchema, async ({ sessionId, before, limit }) => {
    requireMember(socket, sessionId);
    // A page may carry 200 items of inline data: bounded like fetched chunks.
    const slot = fetches.admit();
    try {
      const after = before === undefined ? undefined : await store.getItem(sessionId, before);
      if (before !== undefined && !after) throw new ProtocolError('NOT_FOUND', 'No such item to page from');
      const page = await store.listItems(sessionId, { ...(after ? { after } : {}), limit: limit ?? DEFAULT_HISTORY_PAGE });
      const reply = { items: page.items.map(toHeader), hasMore: page.hasMore };
      slot.add(readReplyBytes(reply));
      return reply;
    } finally {
      slot.release();
    }
  });

  handle(socket, ctx, 'fetch-chunk', FetchChunkPayloadSchema, async ({ sessionId, contentId, chunkIndex }) => {
    requireMember(socket, sessionId);
    const slot = fetches.admit();
    try {
      const item = await store.getItem(sessionId, contentId);
      if (!item) throw new ProtocolError('NOT_FOUND', 'No such chunk (yet)');
      // The item's chunk size so far, held from before the read (the other fetches in flight count it too).
      const expected = item.receivedChunks > 0 ? Math.ceil(item.bytes / item.receivedChunks) : 0;
      fetches.expect(slot, expected);
      const chunk = await store.getChunk(sessionId, contentId, chunkIndex);
      if (!chunk) throw new ProtocolError('NOT_FOUND', 'No such chunk (yet)');
      slot.add(chunk.encryptedData.byteLength - expected);
      ctx.limits.countFetchedBytes(socket.id, chunk.encryptedData.byteLength);
      if (!item.complete) ctx.slowReceivers.fetched(socket.id, { sessionId, contentId, chunkIndex }, item.receivedChunks);
      return { chunk: { contentId, chunkIndex, totalChunks: item.totalChunks, ...chunk } };
    } finally {
      // Only promise callbacks run between here and the ack entering the transport's buffer, where
      // queuedBytes counts it: no other request is admitted in between.
      slot.release();
    }
  });

  handle(socket, ctx, 'remove-content', ContentRefSchema, async ({ sessionId, contentId }) => {
    requireMember(socket, sessionId);
    uploads.end(sessionId, contentId);
    ctx.slowReceivers.ended(sessionId, contentId);
    if (!(await store.removeItem(sessionId, contentId))) throw new ProtocolError('NOT_FOUND', 'No such item');
    await touch(sessionId);
    others(sessionId).emit('content-removed', { sessionId, contentId });
  });

  handle(socket, ctx, 'clear-content', SessionRefSchema, async ({ sessionId }) => {
    requireMember(socket, sessionId);
    uploads.endSession(sessionId);
    ctx.slowReceivers.endedSession(sessionId);
    const removed = await store.clearItems(sessionId);
    await touch(sessionId);
    others(sessionId).emit('content-cleared', { sessionId });
    return { removed };
  });

  handle(socket, ctx, 'pin-content', PinContentPayloadSchema, async ({ sessionId, contentId, pinned }) => {
    requireMember(socket, sessionId);
    const updated = await store.updateItem(sessionId, contentId, { pinned });
    if (!updated) throw new ProtocolError('NOT_FOUND', 'No such item');
    await touch(sessionId);
    const item = toHeader(updated);
    others(sessionId).emit('content-updated', { sessionId, item });
    return { item };
  });

  handle(socket, ctx, 'rename-content', RenameContentPayloadSchema, async ({ sessionId, contentId, encryptedName, iv }) => {
    requireMember(socket, sessionId);
    const updated = await store.updateItem(sessionId, contentId, { name: { encryptedName, iv } });
    if (!updated) throw new ProtocolError('NOT_FOUND', 'No such item');
    await touch(sessionId);
    const item = toHeader(updated);
    others(sessionId).emit('content-updated', { sessionId, item });
    return { item };
  });
}
