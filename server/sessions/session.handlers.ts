/** `join-challenge`, `join`, `leave` and disconnect: session membership and presence. */
import { ProtocolError } from '../../protocol/errors.ts';
import { DEFAULT_HISTORY_PAGE, MAX_SESSIONS_PER_SOCKET } from '../../protocol/limits.ts';
import { JoinChallengePayloadSchema, JoinPayloadSchema, LeavePayloadSchema } from '../../protocol/schemas.ts';
import type { JoinResult } from '../../protocol/events.ts';
import { quotaOf, toHeader } from '../content/item-header.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionTag } from '../log.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';

export function registerSessionHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { io, sessions, store, joinGuard, config, log } = ctx;

  function removeMembership(sessionId: string): boolean {
    if (!sessions.leave(sessionId, socket.id)) return false;
    socket.data.memberships = socket.data.memberships.filter((m) => m.sessionId !== sessionId);
    void socket.leave(sessionRoom(sessionId));
    ctx.uploads.detachSender(socket.id, Date.now(), sessionId);
    io.to(sessionRoom(sessionId)).emit('client-left', { sessionId, clientId: socket.id });
    void store.touchSession(sessionId, Date.now());
    log.debug('left session', { socketId: socket.id, session: sessionTag(sessionId) });
    return true;
  }

  handle(socket, ctx, 'join-challenge', JoinChallengePayloadSchema, ({ sessionId }) => ({
    challenge: joinGuard.issue(socket.id, sessionId),
  }));

  handle(socket, ctx, 'join', JoinPayloadSchema, async (join): Promise<JoinResult> => {
    const { sessionId, clientName } = join;
    const inSession = () => socket.data.memberships.some((m) => m.sessionId === sessionId);
    if (!inSession() && socket.data.memberships.length >= MAX_SESSIONS_PER_SOCKET) {
      throw new ProtocolError('RATE_LIMITED', `A connection may be in at most ${MAX_SESSIONS_PER_SOCKET} sessions`);
    }
    const address = socket.data.address;
    ctx.limits.checkJoinAttempt(address, sessionId);
    const alreadyHere = sessions.nameOf(sessionId, socket.id) !== undefined;
    if (!alreadyHere && sessions.members(sessionId).length >= config.limits.membersPerSession) {
      throw new ProtocolError('SESSION_FULL', `A session holds at most ${config.limits.membersPerSession} members`);
    }
    const now = Date.now();
    const { created } = await joinGuard.admit(socket.id, address, join, now, {
      beforeCreate: () => {
        ctx.limits.checkSessionCreation(address);
        if (store.sessionCount() >= config.limits.maxSessions) {
          throw new ProtocolError('UNAVAILABLE', 'This server holds as many sessions as it can; try again later');
        }
      },
      created: () => ctx.limits.sessionCreated(address),
    });
    if (!socket.connected) throw new ProtocolError('UNAVAILABLE', 'Disconnected while joining');
    await store.touchSession(sessionId, now);
    const { alreadyMember } = sessions.join(sessionId, socket.id, clientName);
    const membership = socket.data.memberships.find((m) => m.sessionId === sessionId);
    if (membership) membership.name = clientName;
    else socket.data.memberships.push({ sessionId, name: clientName });
    void socket.join(sessionRoom(sessionId));
    if (!alreadyMember) {
      socket.to(sessionRoom(sessionId)).emit('client-joined', { sessionId, clientId: socket.id, clientName });
    }
    const page = await store.listItems(sessionId, { limit: DEFAULT_HISTORY_PAGE });
    log.info('joined session', { socketId: socket.id, session: sessionTag(sessionId), created });
    return {
      sessionId,
      clients: sessions.members(sessionId),
      created,
      history: { items: page.items.map(toHeader), hasMore: page.hasMore },
      quota: await quotaOf(store, config, sessionId),
    };
  });

  handle(socket, ctx, 'leave', LeavePayloadSchema, ({ sessionId }) => {
    if (!removeMembership(sessionId)) throw new ProtocolError('NOT_IN_SESSION', 'Not a member of this session');
  });

  socket.on('disconnect', () => {
    joinGuard.forget(socket.id);
    for (const { sessionId } of [...socket.data.memberships]) removeMembership(sessionId);
  });
}

/** Throws NOT_IN_SESSION unless the socket has joined the session; returns its display name there. */
export function requireMember(ctx: HandlerContext, socket: IoSocket, sessionId: string): string {
  const name = ctx.sessions.nameOf(sessionId, socket.id);
  if (name === undefined) throw new ProtocolError('NOT_IN_SESSION', 'Join the session first');
  return name;
}
