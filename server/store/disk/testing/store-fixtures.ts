/** What the disk store's tests share: an item, random chunks, where a log is, and checking a chunk served. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ItemRecord, StoredChunk } from '../../content-store.ts';
import { RECORD_HEADER_BYTES } from '../chunk-log.ts';
import type { DiskStore } from '../disk-store.ts';
import { DiskPaths } from '../paths.ts';

export const S = 'session-1';

export function item(contentId: string, totalChunks: number): ItemRecord {
  return {
    contentId,
    senderId: 'sender',
    senderName: 'Alice',
    timestamp: 1_000,
    totalChunks,
    encryptedDescriptor: randomBytes(64),
    iv: randomBytes(12),
    pinned: false,
  };
}

export const chunkOf = (size: number): StoredChunk => ({ iv: randomBytes(12), encryptedData: randomBytes(size) });
export const recordSize = (chunk: StoredChunk) => RECORD_HEADER_BYTES + chunk.iv.byteLength + chunk.encryptedData.byteLength;

export function logPath(dataDir: string, contentId: string, sessionId = S): string {
  return new DiskPaths(path.resolve(dataDir)).chunkLog(sessionId, contentId);
}

export async function assertChunk(store: DiskStore, contentId: string, index: number, expected: StoredChunk | undefined) {
  const got = await store.getChunk(S, contentId, index);
  if (!expected) return assert.equal(got, undefined, `chunk ${index} should be absent`);
  assert.ok(got, `chunk ${index} should be served`);
  assert.ok(Buffer.from(got.iv).equals(expected.iv), `chunk ${index} iv`);
  assert.ok(Buffer.from(got.encryptedData).equals(expected.encryptedData), `chunk ${index} data`);
}
