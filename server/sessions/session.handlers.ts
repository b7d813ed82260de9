/** `join`, `leave` and disconnect: session membership and presence. */
import { ProtocolError } from '../../protocol/errors.ts';
import { MAX_SESSIONS_PER_SOCKET } from '../../protocol/limits.ts';
import { JoinPayloadSchema, LeavePayloadSchema } from '../../protocol/schemas.ts';
import type { JoinResult } from '../../protocol/events.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';

export function registerSessionHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { io, sessions, log } = ctx;

  function removeMembership(sessionId: string): boolean {
    if (!sessions.leave(sessionId, socket.id)) return false;
    socket.data.memberships = socket.data.memberships.filter((m) => m.sessionId !== sessionId);
    void socket.leave(sessionRoom(sessionId));
    io.to(sessionRoom(sessionId)).emit('client-left', { sessionId, clientId: socket.id });
    log.debug('left session', { socketId: socket.id, sessionId, remaining: sessions.members(sessionId).length });
    return true;
  }

  socket.on(
    'join',
    handle(socket, log, 'join', JoinPayloadSchema, ({ sessionId, clientName }): JoinResult => {
      const memberships = socket.data.memberships;
      const existing = memberships.find((m) => m.sessionId === sessionId);
      if (!existing && memberships.length >= MAX_SESSIONS_PER_SOCKET) {
        throw new ProtocolError('RATE_LIMITED', `A connection may be in at most ${MAX_SESSIONS_PER_SOCKET} sessions`);
      }
      const { created, alreadyMember } = sessions.join(sessionId, socket.id, clientName);
      if (existing) existing.name = clientName;
      else memberships.push({ sessionId, name: clientName });
      void socket.join(sessionRoom(sessionId));
      if (!alreadyMember) {
        socket.to(sessionRoom(sessionId)).emit('client-joined', { sessionId, clientId: socket.id, clientName });
      }
      log.info('joined session', { socketId: socket.id, sessionId, created, members: sessions.members(sessionId).length });
      return { sessionId, clients: sessions.members(sessionId), created };
    }),
  );

  socket.on(
    'leave',
    handle(socket, log, 'leave', LeavePayloadSchema, ({ sessionId }) => {
      if (!removeMembership(sessionId)) throw new ProtocolError('NOT_IN_SESSION', 'Not a member of this session');
    }),
  );

  socket.on('disconnect', () => {
    for (const { sessionId } of [...socket.data.memberships]) removeMembership(sessionId);
  });
}

/** Throws NOT_IN_SESSION unless the socket has joined the session; returns its display name there. */
export function requireMember(ctx: HandlerContext, socket: IoSocket, sessionId: string): string {
  const name = ctx.sessions.nameOf(sessionId, socket.id);
  if (name === undefined) throw new ProtocolError('NOT_IN_SESSION', 'Join the session first');
  return name;
}
