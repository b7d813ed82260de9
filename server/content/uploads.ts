/**
 * Uploads in progress: who may send the chunks of each unfinished item, how
 * many ciphertext bytes it has, and when it last moved. A sender that drops
 * keeps its upload for a while: it can resume from a new connection with the
 * item's resume token. Uploads that stay still too long are abandoned.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import { MAX_UPLOADS_PER_SOCKET } from '../../protocol/limits.ts';

interface Upload {
  /** The connection sending it; undefined while its sender is away. */
  senderId: string | undefined;
  bytes: number;
  lastActivityAt: number;
  lastProgressAt: number;
}

/** Progress notices per upload are throttled to this interval. */
export const PROGRESS_INTERVAL_MS = 250;

const key = (sessionId: string, contentId: string) => `${sessionId}/${contentId}`;

export class Uploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(private readonly maxItemBytes: number) {}

  /** Registers an upload; `senderId` undefined restores one found in the store after a restart. */
  begin(sessionId: string, contentId: string, senderId: string | undefined, bytes: number, now: number): void {
    if (senderId !== undefined && this.countBySender(senderId) >= MAX_UPLOADS_PER_SOCKET) {
      throw new ProtocolError('RATE_LIMITED', `At most ${MAX_UPLOADS_PER_SOCKET} uploads may be in progress at once`);
    }
    this.uploads.set(key(sessionId, contentId), { senderId, bytes, lastActivityAt: now, lastProgressAt: 0 });
  }

  /** Checks that `senderId` may send a chunk of `size` bytes; counts it. */
  accept(sessionId: string, contentId: string, senderId: string, size: number, now: number): void {
    const upload = this.uploads.get(key(sessionId, contentId));
    if (!upload || upload.senderId !== senderId) {
      throw new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
    }
    if (upload.bytes + size > this.maxItemBytes) {
      throw new ProtocolError('PAYLOAD_TOO_LARGE', `Items may be at most ${this.maxItemBytes} bytes`);
    }
    upload.bytes += size;
    upload.lastActivityAt = now;
  }

  /** Hands an upload to a new connection of its sender. */
  resume(sessionId: string, contentId: string, senderId: string, now: number): boolean {
    const upload = this.uploads.get(key(sessionId, contentId));
    if (!upload) return false;
    upload.senderId = senderId;
    upload.lastActivityAt = now;
    return true;
  }

  /** Whether a progress notice for this upload is due (at most one per PROGRESS_INTERVAL_MS). */
  progressDue(sessionId: string, contentId: string, now: number): boolean {
    const upload = this.uploads.get(key(sessionId, contentId));
    if (!upload || now - upload.lastProgressAt < PROGRESS_INTERVAL_MS) return false;
    upload.lastProgressAt = now;
    return true;
  }

  isSender(sessionId: string, contentId: string, senderId: string): boolean {
    return this.uploads.get(key(sessionId, contentId))?.senderId === senderId;
  }

  has(sessionId: string, contentId: string): boolean {
    return this.uploads.has(key(sessionId, contentId));
  }

  end(sessionId: string, contentId: string): void {
    this.uploads.delete(key(sessionId, contentId));
  }

  /** The sender went away (from one session, or all): its uploads wait for it to resume. */
  detachSender(senderId: string, now: number, sessionId?: string): void {
    for (const [id, upload] of this.uploads) {
      if (upload.senderId !== senderId) continue;
      if (sessionId !== undefined && !id.startsWith(`${sessionId}/`)) continue;
      upload.senderId = undefined;
      upload.lastActivityAt = now;
    }
  }

  /** Uploads without progress since `cutoff`. */
  stalledSince(cutoff: number): Array<{ sessionId: string; contentId: string }> {
    const stalled: Array<{ sessionId: string; contentId: string }> = [];
    for (const [id, upload] of this.uploads) {
      if (upload.lastActivityAt >= cutoff) continue;
      const slash = id.indexOf('/');
      stalled.push({ sessionId: id.slice(0, slash), contentId: id.slice(slash + 1) });
    }
    return stalled;
  }

  /** Forgets every upload of a session (deleted or cleared). */
  endSession(sessionId: string): void {
    for (const id of this.uploads.keys()) if (id.startsWith(`${sessionId}/`)) this.uploads.delete(id);
  }

  private countBySender(senderId: string): number {
    let count = 0;
    for (const upload of this.uploads.values()) if (upload.senderId === senderId) count += 1;
    return count;
  }

  get size(): number {
    return this.uploads.size;
  }
}
