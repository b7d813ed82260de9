/**
 * Uploads in progress: which chunks each item has received, so the server can
 * refuse chunks for items never announced, chunks from another sender, a
 * changed chunk count, and items growing past the size limit while streaming.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import { MAX_UPLOADS_PER_SOCKET } from '../../protocol/limits.ts';

interface Transfer {
  senderId: string;
  totalChunks: number;
  bytes: number;
  receivedCount: number;
  /** One bit per chunk index. */
  received: Uint8Array;
}

export class TransferTracker {
  private readonly transfers = new Map<string, Transfer>();

  constructor(private readonly maxItemBytes: number) {}

  /** Announces an item whose chunks will follow. Items without chunks are not tracked. */
  begin(sessionId: string, contentId: string, senderId: string, totalChunks: number): void {
    const key = `${sessionId}/${contentId}`;
    if (this.transfers.has(key)) throw new ProtocolError('CONFLICT', 'This content id is already in use');
    if (totalChunks === 0) return;
    if (this.countBySender(senderId) >= MAX_UPLOADS_PER_SOCKET) {
      throw new ProtocolError('RATE_LIMITED', `At most ${MAX_UPLOADS_PER_SOCKET} uploads may be in progress at once`);
    }
    this.transfers.set(key, {
      senderId,
      totalChunks,
      bytes: 0,
      receivedCount: 0,
      received: new Uint8Array(Math.ceil(totalChunks / 8)),
    });
  }

  /** Records one chunk; returns whether it was new and whether the item is now complete. */
  accept(
    sessionId: string,
    senderId: string,
    chunk: { contentId: string; chunkIndex: number; totalChunks: number; encryptedData: Uint8Array },
  ): { duplicate: boolean; complete: boolean } {
    const key = `${sessionId}/${chunk.contentId}`;
    const transfer = this.transfers.get(key);
    if (!transfer || transfer.senderId !== senderId) {
      throw new ProtocolError('NOT_FOUND', 'No upload in progress for this content id');
    }
    if (chunk.totalChunks !== transfer.totalChunks) {
      throw new ProtocolError('INVALID_PAYLOAD', 'totalChunks differs from the announced count');
    }
    const byte = chunk.chunkIndex >> 3;
    const bit = 1 << (chunk.chunkIndex & 7);
    if ((transfer.received[byte]! & bit) !== 0) return { duplicate: true, complete: false };
    if (transfer.bytes + chunk.encryptedData.byteLength > this.maxItemBytes) {
      this.transfers.delete(key);
      throw new ProtocolError('PAYLOAD_TOO_LARGE', `Items may be at most ${this.maxItemBytes} bytes`);
    }
    transfer.received[byte]! |= bit;
    transfer.bytes += chunk.encryptedData.byteLength;
    transfer.receivedCount += 1;
    const complete = transfer.receivedCount === transfer.totalChunks;
    if (complete) this.transfers.delete(key);
    return { duplicate: false, complete };
  }

  /** Stops an upload at its sender's request; returns false when there was none. */
  cancel(sessionId: string, contentId: string, senderId: string): boolean {
    const key = `${sessionId}/${contentId}`;
    if (this.transfers.get(key)?.senderId !== senderId) return false;
    this.transfers.delete(key);
    return true;
  }

  /** Forgets every upload of a sender that went away; returns the content ids per session. */
  dropSender(senderId: string): Array<{ sessionId: string; contentId: string }> {
    const dropped: Array<{ sessionId: string; contentId: string }> = [];
    for (const [key, transfer] of this.transfers) {
      if (transfer.senderId !== senderId) continue;
      this.transfers.delete(key);
      const [sessionId = '', contentId = ''] = key.split('/');
      dropped.push({ sessionId, contentId });
    }
    return dropped;
  }

  countBySender(senderId: string): number {
    let count = 0;
    for (const transfer of this.transfers.values()) if (transfer.senderId === senderId) count += 1;
    return count;
  }

  get size(): number {
    return this.transfers.size;
  }
}
