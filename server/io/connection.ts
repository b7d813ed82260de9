/** Sets up each new connection: its data, and the handlers of every feature. */
import { registerContentHandlers } from '../content/content.handlers.ts';
import { registerItemHandlers } from '../content/item.handlers.ts';
import { registerSessionHandlers } from '../sessions/session.handlers.ts';
import type { HandlerContext } from './context.ts';
import type { IoSocket } from './types.ts';
import { answerUnknownEvents } from './unknown-events.ts';
import { registerBatchHandler } from './batch.handlers.ts';

export function onConnection(socket: IoSocket, ctx: HandlerContext): void {
  socket.data.memberships = [];
  // Node's EventEmitter throws on an unhandled 'error' event; a client that
  // emits one must not be able to crash the process.
  socket.on('error' as never, () => {});
  registerSessionHandlers(socket, ctx);
  registerContentHandlers(socket, ctx);
  registerItemHandlers(socket, ctx);
  registerBatchHandler(socket, ctx);
  answerUnknownEvents(socket);
  ctx.log.debug('connected', { socketId: socket.id, transport: socket.conn.transport.name });
  socket.on('disconnect', (reason) => {
    ctx.limits.forgetSocket(socket.id);
    ctx.slowReceivers.forget(socket.id);
    ctx.log.debug('disconnected', { socketId: socket.id, reason });
  });
}
