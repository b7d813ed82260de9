/**
 * Uploads owned by this node's connections: what the node needs to take each
 * chunk without asking the store first. Which chunks it relayed and stored,
 * the item's bytes so far (checked against MAX_ITEM_BYTES before a chunk is
 * relayed), the owner generation the store gave (every commit names it), and
 * when members were last told of its progress.
 *
 * The store has the authoritative state (content-store.ts): this is a cache
 * of the part that belongs to this node, begun at `content` or `resume-upload`
 * and dropped when the upload ends or its sender goes away.
 *
 * The cap on uploads in progress counts per connection and per address, and
 * an upload whose sender left (the session, or the server) stays counted as
 * *parked* against that connection and address until it is resumed,
 * completed, cancelled or abandoned (UPLOAD_ABANDON_AFTER): leaving and
 * joining again cannot open more. Parked uploads are this node's.
 */
import { ProtocolError, type ErrorCode } from '../../protocol/errors.ts';
import { MAX_UPLOADS_PER_SOCKET } from '../../protocol/limits.ts';

export interface Upload {
  sessionId: string;
  contentId: string;
  senderId: string;
  /** The sender's address, for the cap per address. */
  address: string;
  generation: number;
  totalChunks: number;
  /** Ciphertext bytes of the item, counting chunks accepted but not yet stored. */
  bytes: number;
  lastProgressAt: number;
  /** One bit per chunk: relayed to the members (so a repeat is not relayed again). */
  readonly relayed: Uint8Array;
  /** One bit per chunk: stored and recorded. */
  readonly stored: Uint8Array;
}

/** Progress notices per upload are throttled to this interval. */
export const PROGRESS_INTERVAL_MS = 250;
/** Uploads dropped for a reason, remembered so the chunks still on their way get that reason too. */
const REMEMBERED_ENDINGS = 1_000;

const key = (sessionId: string, contentId: string) => `${sessionId}/${contentId}`;
const bit = (bits: Uint8Array, index: number) => (bits[index >> 3]! & (1 << (index & 7))) !== 0;
const setBit = (bits: Uint8Array, index: number) => (bits[index >> 3]! |= 1 << (index & 7));

/** What to do with an accepted chunk. */
export interface Accepted {
  upload: Upload;
  /** Already stored: acknowledge it again, nothing else. */
  stored: boolean;
  /** Not relayed yet: relay it. */
  relay: boolean;
}

interface Parked {
  senderId: string;
  address: string;
  /** Abandoned by then unless resumed (the sweeper discards it in the store). */
  until: number;
}

export interface UploadLimits {
  maxItemBytes: number;
  /** Uploads in progress or parked per address (UPLOADS_PER_ADDRESS). */
  perAddress: number;
  /** How long a parked upload counts (UPLOAD_ABANDON_AFTER). */
  abandonMs: number;
}

export class Uploads {
  private readonly uploads = new Map<string, Upload>();
  private readonly parked = new Map<string, Parked>();
  /** Why recent uploads were dropped (QUOTA_EXCEEDED, CANCELLED...). */
  private readonly endings = new Map<string, ErrorCode>();

  private readonly maxItemBytes: number;

  constructor(private readonly limits: UploadLimits) {
    this.maxItemBytes = limits.maxItemBytes;
  }

  /**
   * RATE_LIMITED when the connection already has MAX_UPLOADS_PER_SOCKET
   * uploads in progress or parked, or its address UPLOADS_PER_ADDRESS.
   * `resuming`: the upload about to be taken over, which is counted already.
   */
  checkCapacity(senderId: string, address: string, resuming?: { sessionId: string; contentId: string }): void {
    const skip = resuming && key(resuming.sessionId, resuming.contentId);
    const now = Date.now();
    let bySender = 0;
    let byAddress = 0;
    for (const [id, upload] of this.uploads) {
      if (id === skip) continue;
      if (upload.senderId === senderId) bySender += 1;
      if (upload.address === address) byAddress += 1;
    }
    for (const [id, parked] of this.parked) {
      if (parked.until <= now) {
        this.parked.delete(id);
        continue;
      }
      if (id === skip) continue;
      if (parked.senderId === senderId) bySender += 1;
      if (parked.address === address) byAddress += 1;
    }
    if (bySender >= MAX_UPLOADS_PER_SOCKET) {
      throw new ProtocolError('RATE_LIMITED', `At most ${MAX_UPLOADS_PER_SOCKET} uploads may be in progress at once (counting those left unfinished)`);
    }
    if (byAddress >= this.limits.perAddress) {
      throw new ProtocolError('RATE_LIMITED', `At most ${this.limits.perAddress} uploads from one address may be in progress at once (counting those left unfinished)`);
    }
  }

  /**
   * Takes an upload for `senderId`: a new one (nothing stored) or a resumed
   * one (`missing` lists the chunks the store lacks; the others count as
   * relayed and stored).
   */
  begin(
    ref: { sessionId: string; contentId: string; senderId: string; address: string; generation: number; totalChunks: number; bytes: number },
    missing?: number[],
  ): Upload {
    const size = Math.ceil(ref.totalChunks / 8);
    const upload: Upload = { ...ref, lastProgressAt: 0, relayed: new Uint8Array(size), stored: new Uint8Array(size) };
    if (missing) {
      upload.relayed.fill(0xff);
      upload.stored.fill(0xff);
      for (const index of missing) {
        upload.relayed[index >> 3]! &= ~(1 << (index & 7));
        upload.stored[index >> 3]! &= ~(1 << (index & 7));
      }
    }
    this.uploads.set(key(ref.sessionId, ref.contentId), upload);
    this.parked.delete(key(ref.sessionId, ref.contentId));
    return upload;
  }

  /**
   * Checks a chunk from `senderId` before it is relayed: NOT_FOUND unless the
   * connection owns the upload here, INVALID_PAYLOAD for another chunk
   * count, PAYLOAD_TOO_LARGE past MAX_ITEM_BYTES. Counts its bytes.
   */
  accept(sessionId: string, contentId: string, senderId: string, chunk: { chunkIndex: number; totalChunks: number }, size: number): Accepted {
    const upload = this.uploads.get(key(sessionId, contentId));
    if (!upload || upload.senderId !== senderId) {
      throw this.refusal(sessionId, contentId) ?? new ProtocolError('NOT_FOUND', 'No upload of yours in progress for this content id');
    }
    if (chunk.totalChunks !== upload.totalChunks) throw new ProtocolError('INVALID_PAYLOAD', 'totalChunks differs from the announced count');
    const { chunkIndex } = chunk;
    if (chunkIndex >= upload.totalChunks) throw new ProtocolError('INVALID_PAYLOAD', 'chunkIndex must be below totalChunks');
    if (bit(upload.stored, chunkIndex)) return { upload, stored: true, relay: false };
    const relay = !bit(upload.relayed, chunkIndex);
    if (relay) {
      if (upload.bytes + size > this.maxItemBytes) {
        throw new ProtocolError('PAYLOAD_TOO_LARGE', `Items may be at most ${this.maxItemBytes} bytes`);
      }
      upload.bytes += size;
      setBit(upload.relayed, chunkIndex);
    }
    return { upload, stored: false, relay };
  }

  /** The chunk is stored; `bytes` is the item's size as the store counts it. */
  stored(upload: Upload, chunkIndex: number, bytes: number): void {
    setBit(upload.stored, chunkIndex);
    upload.bytes = Math.max(upload.bytes, bytes);
  }

  /** Whether a progress notice for this upload is due (at most one per PROGRESS_INTERVAL_MS). */
  progressDue(upload: Upload, now: number): boolean {
    if (now - upload.lastProgressAt < PROGRESS_INTERVAL_MS) return false;
    upload.lastProgressAt = now;
    return true;
  }

  isSender(sessionId: string, contentId: string, senderId: string): boolean {
    return this.uploads.get(key(sessionId, contentId))?.senderId === senderId;
  }

  has(sessionId: string, contentId: string): boolean {
    return this.uploads.has(key(sessionId, contentId));
  }

  /** The upload is over; with `reason`, chunks still on their way are refused with that code. */
  end(sessionId: string, contentId: string, reason?: ErrorCode): void {
    const id = key(sessionId, contentId);
    this.uploads.delete(id);
    this.parked.delete(id);
    if (reason === undefined) return;
    if (this.endings.size >= REMEMBERED_ENDINGS) this.endings.delete(this.endings.keys().next().value!);
    this.endings.set(id, reason);
  }

  /** Why this upload was dropped, if it was for a reason, as the error to answer its chunks with. */
  refusal(sessionId: string, contentId: string): ProtocolError | undefined {
    const reason = this.endings.get(key(sessionId, contentId));
    return reason && new ProtocolError(reason, 'This upload was stopped');
  }

  /** Forgets every upload of a session (deleted or cleared). */
  endSession(sessionId: string): void {
    for (const [id, upload] of this.uploads) if (upload.sessionId === sessionId) this.uploads.delete(id);
    const prefix = key(sessionId, '');
    for (const id of this.parked.keys()) if (id.startsWith(prefix)) this.parked.delete(id);
  }

  /**
   * The sender went away (from one session, or all): its uploads leave this
   * node, parked (still counted against it) until resumed or abandoned;
   * returns them, to release in the store.
   */
  detachSender(senderId: string, sessionId?: string): Upload[] {
    const detached: Upload[] = [];
    const until = Date.now() + this.limits.abandonMs;
    for (const [id, upload] of this.uploads) {
      if (upload.senderId !== senderId || (sessionId !== undefined && upload.sessionId !== sessionId)) continue;
      this.uploads.delete(id);
      this.parked.set(id, { senderId, address: upload.address, until });
      detached.push(upload);
    }
    return detached;
  }

  /** Every upload owned here (for a node that is shutting down). */
  all(): Upload[] {
    return [...this.uploads.values()];
  }

  get size(): number {
    return this.uploads.size;
  }
}
