/** `join-challenge`, `join`, `leave` and disconnect: session membership and presence. */
import { ProtocolError } from '../../protocol/errors.ts';
import { DEFAULT_HISTORY_PAGE, MAX_SESSIONS_PER_SOCKET } from '../../protocol/limits.ts';
import { JoinChallengePayloadSchema, JoinPayloadSchema, LeavePayloadSchema } from '../../protocol/schemas.ts';
import type { JoinResult } from '../../protocol/events.ts';
import { releaseUploads } from '../content/content.handlers.ts';
import { quotaOf, toHeader } from '../content/item-header.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';

export function registerSessionHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { presence, store, joinGuard, config, log, sessionTag } = ctx;

  /** Leaves at once on this connection; presence and the others follow (in the background on disconnect). */
  function removeMembership(sessionId: string): Promise<void> | undefined {
    if (!socket.data.memberships.some((m) => m.sessionId === sessionId)) return undefined;
    socket.data.memberships = socket.data.memberships.filter((m) => m.sessionId !== sessionId);
    void socket.leave(sessionRoom(sessionId));
    releaseUploads(ctx, ctx.uploads.detachSender(socket.id, sessionId));
    log.debug('left session', { socketId: socket.id, session: sessionTag(sessionId) });
    return announceLeft(ctx, sessionId, socket.id);
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
    const { busy } = await ctx.limits.checkJoinAttempt(address, sessionId);
    const now = Date.now();
    const { created } = await joinGuard.admit(socket.id, address, join, now, {
      beforeCreate: async () => {
        await ctx.limits.checkSessionCreation(address);
        if ((await store.sessionCount()) >= config.limits.maxSessions) {
          throw new ProtocolError('UNAVAILABLE', 'This server holds as many sessions as it can; try again later');
        }
      },
      created: () => ctx.limits.sessionCreated(address),
    }, busy);
    if (!socket.connected) throw new ProtocolError('UNAVAILABLE', 'Disconnected while joining');
    // Active from now: the sweeper keeps a session touched since it found it idle.
    await store.touchSession(sessionId, now);
    // SESSION_FULL is decided here, at once with adding the member, whichever node the others are on.
    const { alreadyMember, members } = await presence.join(sessionId, { id: socket.id, name: clientName }, config.limits.membersPerSession);
    // Gone meanwhile (expired just before the touch), or disconnected: never announced, so nobody is told of its leaving.
    const gone = !socket.connected || !(await store.getSession(sessionId));
    if (gone) {
      await presence.leave(sessionId, socket.id);
      throw new ProtocolError('UNAVAILABLE', socket.connected ? 'The session expired while joining; join again' : 'Disconnected while joining', 100);
    }
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
      clients: members,
      created,
      history: { items: page.items.map(toHeader), hasMore: page.hasMore },
      quota: await quotaOf(store, config, sessionId),
    };
  });

  handle(socket, ctx, 'leave', LeavePayloadSchema, async ({ sessionId }) => {
    const left = removeMembership(sessionId);
    if (!left) throw new ProtocolError('NOT_IN_SESSION', 'Not a member of this session');
    await left;
  });

  socket.on('disconnect', () => {
    joinGuard.forget(socket.id);
    for (const { sessionId } of [...socket.data.memberships]) {
      const left = removeMembership(sessionId);
      if (left) ctx.background.run('leaving a session', () => left);
    }
  });
}

/** Removes a member from presence and, unless it was gone already (its node found dead), tells the others. */
async function announceLeft(ctx: HandlerContext, sessionId: string, clientId: string): Promise<void> {
  if (!(await ctx.presence.leave(sessionId, clientId))) return;
  ctx.io.to(sessionRoom(sessionId)).emit('client-left', { sessionId, clientId });
  await ctx.store.touchSession(sessionId, Date.now());
}

/** Throws NOT_IN_SESSION unless the socket has joined the session; returns its display name there. */
export function requireMember(socket: IoSocket, sessionId: string): string {
  const membership = socket.data.memberships.find((m) => m.sessionId === sessionId);
  if (!membership) throw new ProtocolError('NOT_IN_SESSION', 'Join the session first');
  return membership.name;
}
