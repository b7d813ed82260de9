/**
 * What to send for a text or a file: the descriptor (validated here, before
 * anything goes on the wire), the chunk count and where the bytes come from.
 */
import { utf8Encode, sanitizeName, validateDescriptor } from '../../protocol/crypto/index.ts';
import type { ContentDescriptor } from '../../protocol/crypto/index.ts';
import { serializeDescriptor } from '../../protocol/crypto/descriptor.ts';
import { GCM_TAG_BYTES, MAX_CHUNK_PLAINTEXT_BYTES, MAX_DESCRIPTOR_BYTES, MAX_TOTAL_CHUNKS } from '../../protocol/limits.ts';
import { ShareError, toShareError } from './errors.ts';
import { dataSize, openSource } from './sources.ts';
import type { ChunkSource } from './sources.ts';
import type { FileData, ShareFileOptions } from './types.ts';

/**
 * Texts up to this many UTF-8 bytes travel inside the encrypted descriptor:
 * one message, no chunk bookkeeping. Half the descriptor limit leaves room for
 * JSON escaping; a text whose escaped form still does not fit goes as chunks.
 */
export const INLINE_TEXT_MAX_BYTES = 32 * 1024;
export const TEXT_MIME_TYPE = 'text/plain;charset=utf-8';
const PAD_BLOCK = 256;
const PRINTABLE_MIME = /^[\x20-\x7e]{0,255}$/;

export interface OutgoingPlan {
  descriptor: ContentDescriptor;
  totalChunks: number;
  source: ChunkSource | undefined;
}

/** Larger chunks only when the item would otherwise need more than MAX_TOTAL_CHUNKS. */
export function chunkSizeFor(size: number, preferred: number): number {
  const chunkSize = Math.max(preferred, Math.ceil(size / MAX_TOTAL_CHUNKS));
  if (chunkSize > MAX_CHUNK_PLAINTEXT_BYTES) {
    throw new ShareError('PAYLOAD_TOO_LARGE', `Items may be at most ${MAX_TOTAL_CHUNKS * MAX_CHUNK_PLAINTEXT_BYTES} bytes`);
  }
  return chunkSize;
}

function checked(descriptor: ContentDescriptor, totalChunks: number): ContentDescriptor {
  try {
    return validateDescriptor(descriptor, totalChunks);
  } catch (error) {
    throw toShareError(error, 'INVALID_PAYLOAD');
  }
}

/** Same arithmetic as the envelope: u32 length + JSON, padded to 256, plus the tag. */
function fitsInDescriptor(descriptor: ContentDescriptor): boolean {
  const json = utf8Encode(serializeDescriptor(descriptor)).length;
  return Math.ceil((json + 4) / PAD_BLOCK) * PAD_BLOCK + GCM_TAG_BYTES <= MAX_DESCRIPTOR_BYTES;
}

export function planText(text: string, name: string, preferredChunkSize: number): OutgoingPlan {
  if (typeof text !== 'string') throw new ShareError('INVALID_PAYLOAD', 'text must be a string');
  const bytes = utf8Encode(text);
  const base = { kind: 'text' as const, name: sanitizeName(name), mimeType: TEXT_MIME_TYPE, size: bytes.length };
  if (bytes.length <= INLINE_TEXT_MAX_BYTES) {
    const inline: ContentDescriptor = { ...base, chunkSize: preferredChunkSize, text };
    if (fitsInDescriptor(inline)) return { descriptor: checked(inline, 0), totalChunks: 0, source: undefined };
  }
  const chunkSize = chunkSizeFor(bytes.length, preferredChunkSize);
  const totalChunks = Math.ceil(bytes.length / chunkSize);
  return {
    descriptor: checked({ ...base, chunkSize }, totalChunks),
    totalChunks,
    source: openSource(bytes, bytes.length, chunkSize),
  };
}

export function planFile(data: FileData, options: ShareFileOptions, preferredChunkSize: number): OutgoingPlan {
  if (typeof options?.name !== 'string' || typeof options.type !== 'string') {
    throw new ShareError('INVALID_PAYLOAD', 'options.name and options.type must be strings');
  }
  const size = dataSize(data, options.size);
  const chunkSize = chunkSizeFor(size, preferredChunkSize);
  const totalChunks = Math.ceil(size / chunkSize);
  const kind = options.type.toLowerCase().startsWith('image/') ? 'image' : 'file';
  const descriptor: ContentDescriptor = {
    kind,
    name: sanitizeName(options.name),
    // A type the descriptor cannot carry (non-ASCII, too long) is sent as unknown rather than failing the share.
    mimeType: PRINTABLE_MIME.test(options.type) ? options.type : '',
    size,
    chunkSize,
  };
  // Dimensions describe images only; for anything else they are dropped.
  if (kind === 'image' && options.width !== undefined && options.height !== undefined) {
    descriptor.width = options.width;
    descriptor.height = options.height;
  }
  // Validated before the source is opened, so a refused share never starts reading its input.
  const valid = checked(descriptor, totalChunks);
  return { descriptor: valid, totalChunks, source: openSource(data, size, chunkSize) };
}
