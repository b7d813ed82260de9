/**
 * Encrypted envelopes for chunks, descriptors and names (SPEC.md §3).
 * Chunks use the content key; descriptors and names the metadata key, so a
 * ciphertext can never be reinterpreted across the two kinds.
 */
import { ProtocolError } from '../errors.ts';
import { chunkAad, descriptorAad, nameAad } from './aad.ts';
import { openGcm, sealGcm } from './aead.ts';
import type { Sealed } from './aead.ts';
import { serializeDescriptor, validateDescriptor, validateName } from './descriptor.ts';
import type { ContentDescriptor } from './descriptor.ts';
import { utf8Decode, utf8Encode } from './encoding.ts';
import type { Bytes } from './encoding.ts';
import { padPlaintext, unpadPlaintext } from './padding.ts';
import { GCM_TAG_BYTES, MAX_CHUNK_PLAINTEXT_BYTES, MAX_DESCRIPTOR_CIPHERTEXT_BYTES } from './sizes.ts';

export { CHUNK_IV_BYTES, GCM_TAG_BYTES } from './sizes.ts';
export type { Sealed } from './aead.ts';

/** Where a chunk belongs; all of it is authenticated. */
export interface ChunkAadParts {
  readonly sessionId: string;
  readonly contentId: string;
  readonly chunkIndex: number;
  readonly totalChunks: number;
}

const aadOf = (parts: ChunkAadParts): Bytes =>
  chunkAad(parts.sessionId, parts.contentId, parts.chunkIndex, parts.totalChunks);

export async function encryptChunk(contentKey: CryptoKey, parts: ChunkAadParts, plaintext: Uint8Array): Promise<Sealed> {
  if (plaintext.length > MAX_CHUNK_PLAINTEXT_BYTES) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', `chunk must be at most ${MAX_CHUNK_PLAINTEXT_BYTES} bytes`);
  }
  return sealGcm(contentKey, aadOf(parts), plaintext);
}

/**
 * Throws INTEGRITY for a wrong key, any altered byte, or a chunk presented
 * under another session, item, index or total; INVALID_PAYLOAD for a
 * malformed envelope (wrong IV size, data shorter than the tag, bad index).
 */
export async function decryptChunk(
  contentKey: CryptoKey,
  parts: ChunkAadParts,
  iv: Uint8Array,
  encryptedData: Uint8Array,
): Promise<Bytes> {
  return openGcm(contentKey, aadOf(parts), iv, encryptedData);
}

async function sealPadded(metadataKey: CryptoKey, aad: Bytes, data: Uint8Array): Promise<Sealed> {
  const padded = padPlaintext(data);
  if (padded.length + GCM_TAG_BYTES > MAX_DESCRIPTOR_CIPHERTEXT_BYTES) {
    throw new ProtocolError('PAYLOAD_TOO_LARGE', 'descriptor is too large; send the text as chunks');
  }
  return sealGcm(metadataKey, aad, padded);
}

/** Authenticate, then unpad and decode; only a genuine peer's bytes are parsed. */
async function openPadded(
  metadataKey: CryptoKey,
  aad: Bytes,
  iv: Uint8Array,
  encryptedData: Uint8Array,
): Promise<string> {
  if (encryptedData.length > MAX_DESCRIPTOR_CIPHERTEXT_BYTES) {
    throw new ProtocolError('INVALID_PAYLOAD', 'encrypted descriptor is too large');
  }
  const data = unpadPlaintext(await openGcm(metadataKey, aad, iv, encryptedData));
  try {
    return utf8Decode(data);
  } catch {
    throw new ProtocolError('INVALID_PAYLOAD', 'descriptor is not valid UTF-8');
  }
}

/** Validates (INVALID_PAYLOAD), pads to 256 bytes, encrypts. */
export async function encryptDescriptor(
  metadataKey: CryptoKey,
  sessionId: string,
  contentId: string,
  totalChunks: number,
  descriptor: ContentDescriptor,
): Promise<Sealed> {
  const json = serializeDescriptor(validateDescriptor(descriptor, totalChunks));
  return sealPadded(metadataKey, descriptorAad(sessionId, contentId, totalChunks), utf8Encode(json));
}

/** INTEGRITY if authentication fails; INVALID_PAYLOAD if the content is malformed. */
export async function decryptDescriptor(
  metadataKey: CryptoKey,
  sessionId: string,
  contentId: string,
  totalChunks: number,
  iv: Uint8Array,
  encryptedData: Uint8Array,
): Promise<ContentDescriptor> {
  const json = await openPadded(metadataKey, descriptorAad(sessionId, contentId, totalChunks), iv, encryptedData);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ProtocolError('INVALID_PAYLOAD', 'descriptor is not valid JSON');
  }
  return validateDescriptor(value, totalChunks);
}

/** A rename: the new name alone, padded like a descriptor. */
export async function encryptName(metadataKey: CryptoKey, sessionId: string, contentId: string, name: string): Promise<Sealed> {
  return sealPadded(metadataKey, nameAad(sessionId, contentId), utf8Encode(validateName(name)));
}

export async function decryptName(
  metadataKey: CryptoKey,
  sessionId: string,
  contentId: string,
  iv: Uint8Array,
  encryptedData: Uint8Array,
): Promise<string> {
  return validateName(await openPadded(metadataKey, nameAad(sessionId, contentId), iv, encryptedData));
}
