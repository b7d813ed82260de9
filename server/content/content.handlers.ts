/**
 * `content`, `chunk`, `cancel-content` and `resume-upload`: items arrive,
 * are stored (ciphertext only), and are relayed to the other members.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { ContentPayload } from '../../protocol/schemas.ts';
import {
  CancelContentPayloadSchema,
  ChunkPayloadSchema,
  ContentPayloadSchema,
  ResumeUploadPayloadSchema,
} from '../../protocol/schemas.ts';
import type { HandlerContext } from '../io/context.ts';
import { handle } from '../io/handle.ts';
import { sessionRoom, type IoSocket } from '../io/types.ts';
import { requireMember } from '../sessions/session.handlers.ts';
import type { Upload } from './uploads.ts';
import { LiveRelay } from './live-relay.ts';

export const tokenHash = (token: Uint8Array) => createHash('sha256').update(token).digest('hex');

/** A broadcast to the members of `room` on the other nodes only (none on a single node). */
function toOtherNodes(ctx: HandlerContext, room: string) {
  return ctx.io.to(room).except([...(ctx.io.of('/').adapter.rooms.get(room) ?? [])]);
}

/** Drops an unfinished item and tells the session why; false when it was complete after all (it stays). */
export async function discardUpload(ctx: HandlerContext, sessionId: string, contentId: string, code: ErrorCode, exceptId?: string): Promise<boolean> {
  ctx.uploads.end(sessionId, contentId, code);
  ctx.slowReceivers.ended(sessionId, contentId);
  if (!(await ctx.store.discardUpload(sessionId, contentId))) return false;
  const room = ctx.io.to(sessionRoom(sessionId));
  (exceptId ? room.except(exceptId) : room).emit('content-cancelled', { sessionId, contentId, code });
  return true;
}

/** The sender's connection left its uploads on this node: they wait in the store for a resume. */
export function releaseUploads(ctx: HandlerContext, uploads: Upload[]): void {
  for (const { sessionId, contentId, generation } of uploads) {
    ctx.background.run('releasing an upload', () => ctx.store.releaseUpload(sessionId, contentId, generation, Date.now()));
  }
}

export function registerContentHandlers(socket: IoSocket, ctx: HandlerContext): void {
  const { store, uploads, config } = ctx;
  // Socket.IO delivers a connection's messages in order, but handlers await the
  // store: a chunk must not overtake the `content` announcing its item, and a
  // cancel must wait for the chunk writes already under way.
  let announcing: Promise<unknown> = Promise.resolve();
  const writes = new Map<string, Set<Promise<unknown>>>();
  const track = (key: string, write: Promise<unknown>) => {
    const set = writes.get(key) ?? new Set();
    writes.set(key, set);
    set.add(write);
    void write.catch(() => undefined).then(() => {
      set.delete(write);
      if (set.size === 0) writes.delete(key);
    });
  };
  const commitLimits = { maxItemBytes: config.maxItemBytes, maxSessionBytes: config.sessionQuotaBytes };

  /**
   * An item refused for its size is dropped (the first refusal does it, in the background, so this
   * answer goes first) and the others told; the chunks still on their way get the same answer.
   */
  function refusal(error: unknown, sessionId: string, contentId: string): unknown {
    if (!(error instanceof ProtocolError)) return error;
    if (error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'QUOTA_EXCEEDED') {
      if (uploads.isSender(sessionId, contentId, socket.id)) {
        uploads.end(sessionId, contentId, error.code);
        const code = error.code;
        ctx.background.run('dropping a refused upload', () => discardUpload(ctx, sessionId, contentId, code, socket.id));
      }
      return error;
    }
    return (error.code === 'NOT_FOUND' && uploads.refusal(sessionId, contentId)) || error;
  }

  handle(socket, ctx, 'content', ContentPayloadSchema, (payload) => {
    const senderName = requireMember(socket, payload.sessionId);
    const arrived = Date.now();
    const live = new LiveRelay(() => socket.to(sessionRoom(payload.sessionId)).local.emit('content', relayed(payload, senderName, arrived)));
    const run = announcing.then(() => announce(payload, senderName, arrived, live));
    announcing = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      const { sessionId, content } = payload;
      // Not stored for now: this node's members have it live all the same; the sender sends it again.
      if (error instanceof ProtocolError && error.code === 'UNAVAILABLE') live.send();
      // Refused: the members who saw it live are told it is gone.
      else if (live.sent && error instanceof ProtocolError) {
        socket.to(sessionRoom(sessionId)).local.emit('content-cancelled', { sessionId, contentId: content.contentId, code: error.code });
      }
      live.settle();
      throw error;
    });
  });

  /** The `content` event the other members get. */
  function relayed({ sessionId, content, data }: ContentPayload, senderName: string, timestamp: number) {
    const { contentId, totalChunks, encryptedDescriptor, iv } = content;
    const header = { contentId, totalChunks, encryptedDescriptor, iv, senderId: socket.id, senderName, timestamp };
    return data ? { sessionId, content: header, data } : { sessionId, content: header };
  }

  async function announce(payload: ContentPayload, senderName: string, now: number, live: LiveRelay) {
    const { sessionId, content, data } = payload;
    const { contentId, totalChunks, resumeToken } = content;
    if (totalChunks > 0) uploads.checkCapacity(socket.id, socket.data.address);
    const item = await store.addItem(
      sessionId,
      {
        contentId,
        senderId: socket.id,
        senderName,
        timestamp: now,
        totalChunks,
        encryptedDescriptor: content.encryptedDescriptor,
        iv: content.iv,
        ...(data ? { data } : {}),
        pinned: false,
        ...(resumeToken ? { resumeTokenHash: tokenHash(resumeToken) } : {}),
      },
      { maxItems: config.sessionMaxItems, maxBytes: config.sessionQuotaBytes },
    );
    live.settle();
    if (totalChunks > 0) {
      uploads.begin({ sessionId, contentId, senderId: socket.id, address: socket.data.address, generation: item.generation, totalChunks, bytes: item.bytes });
      // Gone while the item was stored: the upload waits for a resume like any other.
      if (!socket.connected) releaseUploads(ctx, uploads.detachSender(socket.id));
    }
    const room = sessionRoom(sessionId);
    (live.sent ? toOtherNodes(ctx, room) : socket.to(room)).emit('content', relayed(payload, senderName, item.timestamp));
    await store.touchSession(sessionId, now);
    return { contentId };
  }

  handle(socket, ctx, 'chunk', ChunkPayloadSchema, async ({ sessionId, chunk }) => {
    await announcing;
    requireMember(socket, sessionId);
    const { contentId, chunkIndex } = chunk;
    const ack = { contentId, chunkIndex };
    const size = chunk.iv.byteLength + chunk.encryptedData.byteLength;
    ctx.metrics.chunkBytes(size);
    let accepted;
    try {
      accepted = uploads.accept(sessionId, contentId, socket.id, chunk, size);
    } catch (error) {
      throw refusal(error, sessionId, contentId);
    }
    // Sent again (after a drop, or twice): stored already, acknowledged again.
    if (accepted.stored) return ack;
    const { upload } = accepted;
    const room = sessionRoom(sessionId);
    // Relay first (in arrival order, without waiting for the store), acknowledge once stored. The
    // adapter holds the chunk back from members too far behind (content/slow-receivers.ts).
    if (accepted.relay) socket.to(room).emit('chunk', { sessionId, chunk, senderId: socket.id });
    const write = store.putChunk(sessionId, contentId, chunkIndex, chunk, { generation: upload.generation, ...commitLimits });
    track(`${sessionId}/${contentId}`, write);
    let stored;
    try {
      ({ item: stored } = await write);
    } catch (error) {
      throw refusal(error, sessionId, contentId);
    }
    uploads.stored(upload, chunkIndex, stored.bytes);
    // Members the chunk was held back from, on any node, fetch it now (PROTOCOL.md §6.6).
    const ref = { sessionId, contentId, chunkIndex };
    if (ctx.presence.spansNodes(sessionId) || ctx.slowReceivers.isWaiting(ref)) {
      ctx.io.to(room).emit('chunk-available', { ...ref, totalChunks: chunk.totalChunks });
    }
    if (!stored.complete && uploads.progressDue(upload, Date.now())) {
      // Volatile: a notice lost to a busy connection is replaced by the next one.
      const progress = { sessionId, contentId, receivedChunks: stored.receivedChunks, totalChunks: stored.totalChunks };
      ctx.io.to(room).volatile.emit('upload-progress', progress);
    }
    if (stored.complete && uploads.has(sessionId, contentId)) {
      uploads.end(sessionId, contentId);
      ctx.slowReceivers.ended(sessionId, contentId);
      ctx.io.to(room).emit('content-complete', { sessionId, contentId });
    }
    return ack;
  });

  handle(socket, ctx, 'cancel-content', CancelContentPayloadSchema, async ({ sessionId, contentId }) => {
    await announcing;
    requireMember(socket, sessionId);
    if (!uploads.isSender(sessionId, contentId, socket.id)) {
      throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
    }
    await Promise.allSettled(writes.get(`${sessionId}/${contentId}`) ?? []);
    if (!(await discardUpload(ctx, sessionId, contentId, 'CANCELLED', socket.id))) {
      throw new ProtocolError('NOT_FOUND', 'This upload is complete: remove the item instead');
    }
  });

  handle(socket, ctx, 'resume-upload', ResumeUploadPayloadSchema, async ({ sessionId, contentId, resumeToken }) => {
    requireMember(socket, sessionId);
    const item = await store.getItem(sessionId, contentId);
    if (!item) throw new ProtocolError('NOT_FOUND', 'No such item');
    if (item.complete) return { missing: [] };
    const expected = item.resumeTokenHash ? Buffer.from(item.resumeTokenHash, 'hex') : undefined;
    const given = Buffer.from(tokenHash(resumeToken), 'hex');
    if (!expected || !timingSafeEqual(expected, given)) {
      throw new ProtocolError('UNAUTHORIZED', 'This upload cannot be resumed with that token');
    }
    if (!uploads.isSender(sessionId, contentId, socket.id)) uploads.checkCapacity(socket.id, socket.data.address, { sessionId, contentId });
    // A new owner generation: whoever held the upload before (another connection, another node) can no longer commit.
    const claim = await store.claimUpload(sessionId, contentId, Date.now());
    if (!claim) {
      if ((await store.getItem(sessionId, contentId))?.complete) return { missing: [] };
      throw new ProtocolError('UNAUTHORIZED', 'This upload cannot be resumed with that token');
    }
    uploads.begin({ sessionId, contentId, senderId: socket.id, address: socket.data.address, generation: claim.generation, totalChunks: item.totalChunks, bytes: item.bytes }, claim.missing);
    if (!socket.connected) releaseUploads(ctx, uploads.detachSender(socket.id));
    return { missing: claim.missing };
  });

  socket.on('disconnect', () => releaseUploads(ctx, uploads.detachSender(socket.id)));
}
