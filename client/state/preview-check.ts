/**
 * Whether the browser may preview an item: only when the declared MIME type
 * is one it renders safely, the name's final extension is one of that
 * type's, and the first bytes are that type's (magic numbers). A mismatch
 * (an `.exe` sent as `application/pdf`) gets no preview, just the file icon,
 * so a preview never vouches for what the file is not.
 */
import { finalExtension } from '../../protocol/names.ts';

/** Types previewed, with the extensions each may carry. */
const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jfif', 'jpe'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/avif': ['avif'],
  'video/mp4': ['mp4', 'm4v'],
  'video/quicktime': ['mov'],
  'video/webm': ['webm'],
  'audio/mpeg': ['mp3'],
  'audio/mp4': ['m4a'],
  'audio/ogg': ['ogg', 'oga', 'opus'],
  'audio/wav': ['wav'],
  'audio/webm': ['weba', 'webm'],
};

/** Bytes sniffTypes() needs. */
export const SNIFF_BYTES = 16;

const ascii = (bytes: Uint8Array, at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

/** The types the first bytes are consistent with (empty: none we preview). */
export function sniffTypes(bytes: Uint8Array): string[] {
  if (ascii(bytes, 0, '%PDF-')) return ['application/pdf'];
  if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return ['image/png'];
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return ['image/jpeg'];
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return ['image/gif'];
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return ['image/webp'];
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return ['audio/wav'];
  if (ascii(bytes, 4, 'ftyp')) {
    if (ascii(bytes, 8, 'avif') || ascii(bytes, 8, 'avis')) return ['image/avif'];
    if (ascii(bytes, 8, 'qt  ')) return ['video/quicktime'];
    return ['video/mp4', 'audio/mp4', 'video/quicktime'];
  }
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return ['video/webm', 'audio/webm'];
  if (ascii(bytes, 0, 'OggS')) return ['audio/ogg'];
  if (ascii(bytes, 0, 'ID3') || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)) return ['audio/mpeg'];
  return [];
}

/** The declared type, the name's extension and the first bytes all agree on a type the browser renders safely. */
export function previewAllowed(name: string, mimeType: string, firstBytes: Uint8Array): boolean {
  const type = mimeType.toLowerCase().split(';')[0]!.trim();
  const extensions = EXTENSIONS[type];
  return extensions !== undefined && extensions.includes(finalExtension(name)) && sniffTypes(firstBytes).includes(type);
}

/** previewAllowed() for a Blob (reads its first bytes). */
export async function blobPreviewAllowed(name: string, mimeType: string, blob: Blob): Promise<boolean> {
  return previewAllowed(name, mimeType, new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
}
