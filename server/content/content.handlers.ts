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
import { laggingMembers } from './backpressure.ts';

export const tokenHash = (token: Uint8Array) => createHash('sha256').update(token).digest('hex');

/** Drops an unfinished item and tells the session why. */
export async function discardUpload(ctx: HandlerContext, sessionId: string, contentId: string, code: ErrorCode, exceptId?: string) {
  ctx.uploads.end(sessionId, contentId);
  await ctx.store.removeItem(sessionId, contentId);
  const room = ctx.io.to(sessionRoom(sessionId));
  (exceptId ? room.except(exceptId) : room).emit('content-cancelled', { sessionId, contentId, code });
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

  handle(socket, ctx, 'content', ContentPayloadSchema, (payload) => {
    const run = announcing.then(() => announce(payload));
    announcing = run.catch(() => undefined);
    return run;
  });

  async function announce({ sessionId, content, data }: ContentPayload) {
    const senderName = requireMember(ctx, socket, sessionId);
    const { contentId, totalChunks, resumeToken } = content;
    if (await store.getItem(sessionId, contentId)) throw new ProtocolError('CONFLICT', 'This content id is already in use');
    const usage = await store.usage(sessionId);
    const size = content.encryptedDescriptor.byteLength + (data?.byteLength ?? 0);
    if (usage.items >= config.sessionMaxItems) {
      throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${config.sessionMaxItems} items`);
    }
    if (usage.bytes + size > config.sessionQuotaBytes) {
      throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${config.sessionQuotaBytes} bytes`);
    }
    const now = Date.now();
    if (totalChunks > 0) uploads.begin(sessionId, contentId, socket.id, size, now);
    let timestamp: number;
    try {
      ({ timestamp } = await store.addItem(sessionId, {
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
      }));
    } catch (error) {
      uploads.end(sessionId, contentId);
      throw error;
    }
    await store.touchSession(sessionId, now);
    const relayed = { contentId, totalChunks, encryptedDescriptor: content.encryptedDescriptor, iv: content.iv, senderId: socket.id, senderName, timestamp };
    socket.to(sessionRoom(sessionId)).emit('content', data ? { sessionId, content: relayed, data } : { sessionId, content: relayed });
    return { contentId };
  }

  handle(socket, ctx, 'chunk', ChunkPayloadSchema, async ({ sessionId, chunk }) => {
    await announcing;
    requireMember(ctx, socket, sessionId);
    const { contentId, chunkIndex } = chunk;
    const ack = { contentId, chunkIndex };
    if (store.hasChunk(sessionId, contentId, chunkIndex) && uploads.isSender(sessionId, contentId, socket.id)) return ack;
    const item = await store.getItem(sessionId, contentId);
    if (item && item.totalChunks !== chunk.totalChunks) {
      throw new ProtocolError('INVALID_PAYLOAD', 'totalChunks differs from the announced count');
    }
    const size = chunk.iv.byteLength + chunk.encryptedData.byteLength;
    ctx.metrics.chunkBytes(size);
    const now = Date.now();
    try {
      uploads.accept(sessionId, contentId, socket.id, size, now);
      const usage = await store.usage(sessionId);
      if (usage.bytes + size > config.sessionQuotaBytes) {
        throw new ProtocolError('QUOTA_EXCEEDED', `This session holds at most ${config.sessionQuotaBytes} bytes`);
      }
    } catch (error) {
      if (error instanceof ProtocolError && (error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'QUOTA_EXCEEDED')) {
        await discardUpload(ctx, sessionId, contentId, error.code, socket.id);
      }
      throw error;
    }
    // Relay first (in arrival order, without waiting for the disk), acknowledge once stored.
    // Members already SOCKET_BUFFER_BYTES behind are not pushed the chunk: once it is stored they
    // are told `chunk-available` and fetch it at their own pace (PROTOCOL.md §6.6).
    let deferred: string[] = [];
    if (!store.hasChunk(sessionId, contentId, chunkIndex)) {
      const room = sessionRoom(sessionId);
      deferred = laggingMembers(ctx.io, room, socket.id, config.limits.socketBufferBytes);
      (deferred.length > 0 ? socket.to(room).except(deferred) : socket.to(room)).emit('chunk', { sessionId, chunk, senderId: socket.id });
    }
    const write = store.putChunk(sessionId, contentId, chunkIndex, chunk);
    track(`${sessionId}/${contentId}`, write);
    const { item: stored } = await write;
    if (deferred.length > 0) {
      ctx.metrics.deferredChunks(deferred.length);
      ctx.io.to(deferred).emit('chunk-available', { sessionId, contentId, chunkIndex, totalChunks: chunk.totalChunks });
    }
    if (!stored.complete && uploads.progressDue(sessionId, contentId, Date.now())) {
      // Volatile: a notice lost to a busy connection is replaced by the next one.
      const progress = { sessionId, contentId, receivedChunks: stored.receivedChunks, totalChunks: stored.totalChunks };
      ctx.io.to(sessionRoom(sessionId)).volatile.emit('upload-progress', progress);
    }
    if (stored.complete && uploads.has(sessionId, contentId)) {
      uploads.end(sessionId, contentId);
      ctx.io.to(sessionRoom(sessionId)).emit('content-complete', { sessionId, contentId });
    }
    return ack;
  });

  handle(socket, ctx, 'cancel-content', CancelContentPayloadSchema, async ({ sessionId, contentId }) => {
    await announcing;
    requireMember(ctx, socket, sessionId);
    if (!uploads.isSender(sessionId, contentId, socket.id)) {
      throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
    }
    await Promise.allSettled(writes.get(`${sessionId}/${contentId}`) ?? []);
    await discardUpload(ctx, sessionId, contentId, 'CANCELLED', socket.id);
  });

  handle(socket, ctx, 'resume-upload', ResumeUploadPayloadSchema, async ({ sessionId, contentId, resumeToken }) => {
    requireMember(ctx, socket, sessionId);
    const item = await store.getItem(sessionId, contentId);
    if (!item) throw new ProtocolError('NOT_FOUND', 'No such item');
    if (item.complete) return { missing: [] };
    const expected = item.resumeTokenHash ? Buffer.from(item.resumeTokenHash, 'hex') : undefined;
    const given = Buffer.from(tokenHash(resumeToken), 'hex');
    if (!expected || !timingSafeEqual(expected, given) || !uploads.resume(sessionId, contentId, socket.id, Date.now())) {
      throw new ProtocolError('UNAUTHORIZED', 'This upload cannot be resumed with that token');
    }
    return { missing: await store.missingChunks(sessionId, contentId) };
  });

  socket.on('disconnect', () => uploads.detachSender(socket.id, Date.now()));
}
