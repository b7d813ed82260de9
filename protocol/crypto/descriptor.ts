/**
 * The item descriptor: everything about an item the server must not see.
 * Decrypted descriptors come from peers, so they are re-validated strictly
 * and rebuilt key by key (no prototype tricks, no unknown keys).
 */
import { cleanName } from '../names.ts';
import { ProtocolError } from '../errors.ts';
import { utf8Encode } from './encoding.ts';
import { MAX_CHUNK_PLAINTEXT_BYTES } from './sizes.ts';

export type ContentKind = 'text' | 'image' | 'file';

export interface ContentDescriptor {
  kind: ContentKind;
  /** File name, or a label for text; may be empty. */
  name: string;
  /** May be empty when the type is unknown. */
  mimeType: string;
  /** Exact plaintext size in bytes (of `text` when inline). */
  size: number;
  /** Image pixel dimensions; both or neither, images only. */
  width?: number;
  height?: number;
  /** Inline text for small text items; then there are no chunks. */
  text?: string;
  /** Plaintext bytes per chunk (the last chunk may be shorter). */
  chunkSize: number;
  /** Lowercase hex SHA-256 of the whole plaintext, if the sender computed it. */
  sha256?: string;
}

export const MAX_NAME_LENGTH = 1024;
export const MAX_MIME_TYPE_LENGTH = 255;

const KINDS: readonly string[] = ['text', 'image', 'file'];
const KEYS = new Set(['kind', 'name', 'mimeType', 'size', 'width', 'height', 'text', 'chunkSize', 'sha256']);
// C0, DEL, C1 and bidi overrides: they can disguise "x.exe" as "x.txt".
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const MIME_TYPE = /^[\x20-\x7e]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function fail(reason: string): never {
  throw new ProtocolError('INVALID_PAYLOAD', `descriptor ${reason}`);
}

/** Replace characters validation would reject; for senders with odd file names. */
export function sanitizeName(name: string): string {
  // Controls and bidi overrides become U+FFFD; then invisible characters and padding go (protocol/names.ts).
  return cleanName(name.replace(UNSAFE_NAME_CHARACTERS, '\uFFFD')).slice(0, MAX_NAME_LENGTH);
}

function isNameSafe(name: string): boolean {
  UNSAFE_NAME_CHARACTERS.lastIndex = 0; // the regex is global (for replace)
  return !UNSAFE_NAME_CHARACTERS.test(name);
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string') fail('name must be a string');
  if (name.length > MAX_NAME_LENGTH) fail(`name must be at most ${MAX_NAME_LENGTH} characters`);
  if (!isNameSafe(name)) fail('name must not contain control characters');
  return name;
}

function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${field} must be an integer in ${min}..${max}`);
  }
  return value;
}

/**
 * Checks shape and consistency with the authenticated totalChunks; returns a
 * fresh object. Throws ProtocolError INVALID_PAYLOAD with a short reason.
 */
export function validateDescriptor(value: unknown, totalChunks: number): ContentDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be an object');
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!KEYS.has(key)) fail('has an unknown key');

  const kind = input['kind'];
  if (typeof kind !== 'string' || !KINDS.includes(kind)) fail('kind must be text, image or file');
  const out: ContentDescriptor = {
    kind: kind as ContentKind,
    name: validateName(input['name']),
    mimeType: '',
    size: integer(input['size'], 'size', 0),
    chunkSize: integer(input['chunkSize'], 'chunkSize', 1, MAX_CHUNK_PLAINTEXT_BYTES),
  };
  const mimeType = input['mimeType'];
  if (typeof mimeType !== 'string' || mimeType.length > MAX_MIME_TYPE_LENGTH || !MIME_TYPE.test(mimeType)) {
    fail('mimeType must be printable ASCII, at most 255 characters');
  }
  out.mimeType = mimeType;

  const hasWidth = input['width'] !== undefined;
  if (hasWidth !== (input['height'] !== undefined)) fail('width and height go together');
  if (hasWidth) {
    if (out.kind !== 'image') fail('width and height are for images only');
    out.width = integer(input['width'], 'width', 1);
    out.height = integer(input['height'], 'height', 1);
  }
  if (input['sha256'] !== undefined) {
    const sha256 = input['sha256'];
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) fail('sha256 must be 64 lowercase hex digits');
    out.sha256 = sha256;
  }
  if (input['text'] !== undefined) {
    const text = input['text'];
    if (typeof text !== 'string') fail('text must be a string');
    if (out.kind !== 'text') fail('inline text is for text items only');
    if (totalChunks !== 0) fail('inline text means no chunks');
    if (utf8Encode(text).length !== out.size) fail('size must be the UTF-8 length of text');
    out.text = text;
  } else if (totalChunks !== Math.ceil(out.size / out.chunkSize)) {
    // The receiver relies on this to know how many chunks make the whole item.
    fail('size / chunkSize does not match totalChunks');
  }
  return out;
}

/** Canonical JSON: fixed key order, absent optionals omitted. */
export function serializeDescriptor(descriptor: ContentDescriptor): string {
  const { kind, name, mimeType, size, width, height, text, chunkSize, sha256 } = descriptor;
  return JSON.stringify({ kind, name, mimeType, size, width, height, text, chunkSize, sha256 });
}
