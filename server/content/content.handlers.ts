/** `content` and `chunk`: relay encrypted items to the other members of a session. */
import { ChunkPayloadSchema, ContentPayloadSchema } from '../../protocol/schemas.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';
import { requireMember } from '../sessions/session.handlers.ts';

export function registerContentHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { transfers, log } = ctx;

  socket.on(
    'content',
    handle(socket, log, 'content', ContentPayloadSchema, ({ sessionId, content, data }) => {
      const senderName = requireMember(ctx, socket, sessionId);
      transfers.begin(sessionId, content.contentId, socket.id, content.totalChunks);
      const relayed = { ...content, senderId: socket.id, senderName, timestamp: Date.now() };
      socket.to(sessionRoom(sessionId)).emit('content', data === undefined ? { sessionId, content: relayed } : { sessionId, content: relayed, data });
      return { contentId: content.contentId };
    }),
  );

  socket.on(
    'chunk',
    handle(socket, log, 'chunk', ChunkPayloadSchema, ({ sessionId, chunk }) => {
      requireMember(ctx, socket, sessionId);
      const { duplicate } = transfers.accept(sessionId, socket.id, chunk);
      if (!duplicate) socket.to(sessionRoom(sessionId)).emit('chunk', { sessionId, chunk, senderId: socket.id });
      return { contentId: chunk.contentId, chunkIndex: chunk.chunkIndex };
    }),
  );

  socket.on('disconnect', () => {
    const dropped = transfers.dropSender(socket.id);
    if (dropped.length > 0) log.debug('dropped unfinished uploads', { socketId: socket.id, count: dropped.length });
  });
}
