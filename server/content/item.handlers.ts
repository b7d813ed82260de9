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
import { toHeader } from './item-header.ts';

export function registerItemHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { store, uploads, log } = ctx;
  const others = (sessionId: string) => socket.to(sessionRoom(sessionId));
  const touch = (sessionId: string) => store.touchSession(sessionId, Date.now());

  handle(socket, ctx, 'list-content', ListContentPayloadSchema, async ({ sessionId, before, limit }) => {
    requireMember(socket, sessionId);
    const after = before === undefined ? undefined : await store.getItem(sessionId, before);
    if (before !== undefined && !after) throw new ProtocolError('NOT_FOUND', 'No such item to page from');
    const page = await store.listItems(sessionId, { ...(after ? { after } : {}), limit: limit ?? DEFAULT_HISTORY_PAGE });
    return { items: page.items.map(toHeader), hasMore: page.hasMore };
  });

  handle(socket, ctx, 'fetch-chunk', FetchChunkPayloadSchema, async ({ sessionId, contentId, chunkIndex }) => {
    requireMember(socket, sessionId);
    const item = await store.getItem(sessionId, contentId);
    const chunk = item && (await store.getChunk(sessionId, contentId, chunkIndex));
    if (!item || !chunk) throw new ProtocolError('NOT_FOUND', 'No such chunk (yet)');
    return { chunk: { contentId, chunkIndex, totalChunks: item.totalChunks, ...chunk } };
  });

  handle(socket, ctx, 'remove-content', ContentRefSchema, async ({ sessionId, contentId }) => {
    requireMember(socket, sessionId);
    uploads.end(sessionId, contentId);
    if (!(await store.removeItem(sessionId, contentId))) throw new ProtocolError('NOT_FOUND', 'No such item');
    await touch(sessionId);
    others(sessionId).emit('content-removed', { sessionId, contentId });
  });

  handle(socket, ctx, 'clear-content', SessionRefSchema, async ({ sessionId }) => {
    requireMember(socket, sessionId);
    uploads.endSession(sessionId);
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
