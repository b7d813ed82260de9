/**
 * JSON forms of the records on disk, with binary as base64. Reading validates
 * every field, so a damaged file is reported instead of served.
 */
import * as v from 'valibot';
import type { ItemRecord, SessionRecord } from '../content-store.ts';

const Base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0));

const SessionJson = v.object({
  version: v.literal(1),
  sessionId: v.string(),
  verifier: Base64,
  createdAt: Time,
  lastActiveAt: Time,
});

const ItemJson = v.object({
  version: v.literal(1),
  contentId: v.string(),
  senderId: v.string(),
  senderName: v.string(),
  timestamp: Time,
  totalChunks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  encryptedDescriptor: Base64,
  iv: Base64,
  data: v.optional(Base64),
  pinned: v.boolean(),
  name: v.optional(v.object({ encryptedName: Base64, iv: Base64 })),
  resumeTokenHash: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))),
});

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const json = (value: unknown) => [Buffer.from(JSON.stringify(value))];

export function encodeSession(record: SessionRecord): Uint8Array[] {
  return json({ version: 1, ...record, verifier: b64(record.verifier) });
}

export function decodeSession(text: string): SessionRecord {
  const parsed = v.parse(SessionJson, JSON.parse(text));
  return { sessionId: parsed.sessionId, verifier: bytes(parsed.verifier), createdAt: parsed.createdAt, lastActiveAt: parsed.lastActiveAt };
}

export function encodeItem(item: ItemRecord): Uint8Array[] {
  return json({
    version: 1,
    contentId: item.contentId,
    senderId: item.senderId,
    senderName: item.senderName,
    timestamp: item.timestamp,
    totalChunks: item.totalChunks,
    encryptedDescriptor: b64(item.encryptedDescriptor),
    iv: b64(item.iv),
    data: item.data && b64(item.data),
    pinned: item.pinned,
    name: item.name && { encryptedName: b64(item.name.encryptedName), iv: b64(item.name.iv) },
    resumeTokenHash: item.resumeTokenHash,
  });
}

export function decodeItem(text: string): ItemRecord {
  const parsed = v.parse(ItemJson, JSON.parse(text));
  const item: ItemRecord = {
    contentId: parsed.contentId,
    senderId: parsed.senderId,
    senderName: parsed.senderName,
    timestamp: parsed.timestamp,
    totalChunks: parsed.totalChunks,
    encryptedDescriptor: bytes(parsed.encryptedDescriptor),
    iv: bytes(parsed.iv),
    pinned: parsed.pinned,
  };
  if (parsed.data !== undefined) item.data = bytes(parsed.data);
  if (parsed.name) item.name = { encryptedName: bytes(parsed.name.encryptedName), iv: bytes(parsed.name.iv) };
  if (parsed.resumeTokenHash !== undefined) item.resumeTokenHash = parsed.resumeTokenHash;
  return item;
}
