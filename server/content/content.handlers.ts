/** `content`, `chunk` and `cancel-content`: relay encrypted items to the other members of a session. */
import { ProtocolError } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { CancelContentPayloadSchema, ChunkPayloadSchema, ContentPayloadSchema } from '../../protocol/schemas.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';
import { requireMember } from '../sessions/session.handlers.ts';

export function registerContentHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { io, transfers, log } = ctx;

  const tellCancelled = (sessionId: string, contentId: string, code: ErrorCode) =>
    io.to(sessionRoom(sessionId)).except(socket.id).emit('content-cancelled', { sessionId, contentId, code });

  socket.on(
    'content',
    handle(socket, log, 'content', ContentPayloadSchema, ({ sessionId, content, data }) => {
      const senderName = requireMember(ctx, socket, sessionId);
      transfers.begin(sessionId, content.contentId, socket.id, content.totalChunks);
      const relayed = { ...content, senderId: socket.id, senderName, timestamp: Date.now() };
      socket
        .to(sessionRoom(sessionId))
        .emit('content', data === undefined ? { sessionId, content: relayed } : { sessionId, content: relayed, data });
      return { contentId: content.contentId };
    }),
  );

  socket.on(
    'chunk',
    handle(socket, log, 'chunk', ChunkPayloadSchema, ({ sessionId, chunk }) => {
      requireMember(ctx, socket, sessionId);
      let duplicate: boolean;
      try {
        ({ duplicate } = transfers.accept(sessionId, socket.id, chunk));
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'PAYLOAD_TOO_LARGE') {
          tellCancelled(sessionId, chunk.contentId, error.code);
        }
        throw error;
      }
      if (!duplicate) socket.to(sessionRoom(sessionId)).emit('chunk', { sessionId, chunk, senderId: socket.id });
      return { contentId: chunk.contentId, chunkIndex: chunk.chunkIndex };
    }),
  );

  socket.on(
    'cancel-content',
    handle(socket, log, 'cancel-content', CancelContentPayloadSchema, ({ sessionId, contentId }) => {
      requireMember(ctx, socket, sessionId);
      if (!transfers.cancel(sessionId, contentId, socket.id)) {
        throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
      }
      tellCancelled(sessionId, contentId, 'CANCELLED');
    }),
  );

  socket.on('disconnect', () => {
    for (const { sessionId, contentId } of transfers.dropSender(socket.id)) {
      tellCancelled(sessionId, contentId, 'CANCELLED');
    }
  });
}
