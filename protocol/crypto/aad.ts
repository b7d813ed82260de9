/**
 * Associated data: binds each ciphertext to its purpose, session, item and
 * position, so the server cannot move a valid ciphertext anywhere else.
 * Layout (SPEC.md §3.2): label || 0x00 || u32be(len) || sessionId ||
 * u32be(len) || contentId [|| u32be fields]. Length prefixes keep the
 * encoding injective whatever characters the ids contain.
 */
import { ProtocolError } from '../errors.ts';
import { concatBytes, labelledMessage, u32be, utf8Encode } from './encoding.ts';
import type { Bytes } from './encoding.ts';

export const AAD_LABELS = {
  chunk: 'sharethings/v1/chunk',
  descriptor: 'sharethings/v1/descriptor',
  name: 'sharethings/v1/name',
} as const;

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ProtocolError('INVALID_PAYLOAD', `${what} must be an integer in 0..2^32-1`);
  }
}

function u32Field(value: number, what: string): Bytes {
  checkU32(value, what);
  return u32be(value);
}

function ids(label: string, sessionId: string, contentId: string): Bytes {
  return labelledMessage(label, utf8Encode(sessionId), utf8Encode(contentId));
}

/** The chunk AAD's label and ids of the item seen last: every chunk of an item shares them. */
let lastChunkIds: { sessionId: string; contentId: string; bytes: Bytes } | undefined;

export function chunkAad(sessionId: string, contentId: string, chunkIndex: number, totalChunks: number): Bytes {
  // Checked only: the fields are written into the AAD below (a throwaway buffer per field cost a receiver ~15 ms per 256 MiB).
  checkU32(chunkIndex, 'chunkIndex');
  checkU32(totalChunks, 'totalChunks');
  if (chunkIndex >= totalChunks) throw new ProtocolError('INVALID_PAYLOAD', 'chunkIndex must be below totalChunks');
  if (lastChunkIds?.sessionId !== sessionId || lastChunkIds.contentId !== contentId) {
    lastChunkIds = { sessionId, contentId, bytes: ids(AAD_LABELS.chunk, sessionId, contentId) };
  }
  const prefix = lastChunkIds.bytes;
  const aad = new Uint8Array(prefix.length + 8);
  aad.set(prefix);
  const view = new DataView(aad.buffer);
  view.setUint32(prefix.length, chunkIndex);
  view.setUint32(prefix.length + 4, totalChunks);
  return aad;
}

/** totalChunks is bound so a truncated or extended chunk list is detectable. */
export function descriptorAad(sessionId: string, contentId: string, totalChunks: number): Bytes {
  return concatBytes(ids(AAD_LABELS.descriptor, sessionId, contentId), u32Field(totalChunks, 'totalChunks'));
}

/** For a rename: a new name for an existing item, never valid as a descriptor. */
export function nameAad(sessionId: string, contentId: string): Bytes {
  return ids(AAD_LABELS.name, sessionId, contentId);
}
