/**
 * How sessions and items are kept in Redis hashes. An item's fixed fields
 * (ids, sender, descriptor, inline data) are one msgpack `meta` field; what
 * changes (pinned, name, chunk counts, owner generation) has a field each, so
 * the Lua scripts can read and update it. Reading validates every field, so
 * damaged data is reported instead of served.
 */
import * as v from 'valibot';
import { decode } from '../../../protocol/msgpack/decode.ts';
import { encode } from '../../../protocol/msgpack/encode.ts';
import type { EncryptedName, ItemRecord, ItemState, SessionRecord } from '../content-store.ts';

const Bytes = v.custom<Uint8Array>((value) => value instanceof Uint8Array);
const Text = v.string();

const Meta = v.object({
  contentId: Text,
  senderId: Text,
  senderName: Text,
  totalChunks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  encryptedDescriptor: Bytes,
  iv: Bytes,
  data: v.optional(Bytes),
  resumeTokenHash: v.optional(v.pipe(Text, v.regex(/^[0-9a-f]{64}$/))),
});

const Name = v.object({ encryptedName: Bytes, iv: Bytes });

/** The fixed fields of an item, as stored in its `meta` field. */
export function encodeMeta(item: ItemRecord): Uint8Array {
  const meta: v.InferOutput<typeof Meta> = {
    contentId: item.contentId,
    senderId: item.senderId,
    senderName: item.senderName,
    totalChunks: item.totalChunks,
    encryptedDescriptor: item.encryptedDescriptor,
    iv: item.iv,
  };
  if (item.data) meta.data = item.data;
  if (item.resumeTokenHash) meta.resumeTokenHash = item.resumeTokenHash;
  return encode(meta);
}

export function encodeName(name: EncryptedName): Uint8Array {
  return encode({ encryptedName: name.encryptedName, iv: name.iv });
}

const integer = (field: Buffer | undefined, name: string): number => {
  const value = Number(field?.toString());
  if (!Number.isSafeInteger(value)) throw new Error(`stored item: bad ${name}`);
  return value;
};

/** An item from its hash (HGETALL as Buffers); undefined when the hash is empty (no such item). */
export function decodeItem(hash: Record<string, Buffer>): ItemState | undefined {
  if (!hash.meta) return undefined;
  const meta = v.parse(Meta, decode(hash.meta));
  const totalChunks = integer(hash.total, 'total');
  const receivedChunks = integer(hash.received, 'received');
  const complete = receivedChunks === totalChunks;
  const state: ItemState = {
    contentId: meta.contentId,
    senderId: meta.senderId,
    senderName: meta.senderName,
    timestamp: integer(hash.ts, 'ts'),
    totalChunks,
    encryptedDescriptor: meta.encryptedDescriptor,
    iv: meta.iv,
    pinned: hash.pinned?.toString() === '1',
    bytes: integer(hash.bytes, 'bytes'),
    receivedChunks,
    complete,
    generation: complete ? 0 : integer(hash.gen, 'gen'),
  };
  if (meta.data) state.data = meta.data;
  if (meta.resumeTokenHash) state.resumeTokenHash = meta.resumeTokenHash;
  if (hash.name && hash.name.byteLength > 0) state.name = v.parse(Name, decode(hash.name));
  return state;
}

/** A session from CREATE_SESSION's reply or its hash. */
export function decodeSession(sessionId: string, fields: { verifier: Buffer; created: Buffer | number; active: Buffer | number }): SessionRecord {
  const number = (value: Buffer | number) => (typeof value === 'number' ? value : integer(value, 'time'));
  return { sessionId, verifier: new Uint8Array(fields.verifier), createdAt: number(fields.created), lastActiveAt: number(fields.active) };
}
