/**
 * File names from a sender, made safe to create inside the output folder: a
 * hostile sender must not escape it (`../x`, `/etc/passwd`, `..\\x`), hide
 * a file (`.bashrc`), pass for an option (`-rf`), disguise an extension
 * (right-to-left override), or name a device (Windows `CON`, `COM1`).
 */

import { cleanName } from '../../protocol/names.ts';

/** Bytes of UTF-8 a saved name may take: leaves room for " (999)" and the ".<id>.part" of a partial file in 255. */
export const MAX_NAME_BYTES = 200;
const FALLBACK = 'file';
/** C0 and C1 controls, DEL, and what Windows forbids in names. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/gu;
/** Device names on Windows, with any extension ("con.txt" too). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/iu;
const utf8 = new TextEncoder();

/** A name that is one plain file name, never a path, never empty, at most MAX_NAME_BYTES of UTF-8. */
export function safeFileName(name: string, fallback = FALLBACK): string {
  // Only the last component of any path, whichever separator it uses.
  // Controls become "_"; then the shared clean-up (protocol/names.ts): invisible and bidi characters go, odd spaces and padding collapse.
  let safe = String(name).split(/[/\\]/u).at(-1) ?? '';
  safe = cleanName(safe.replace(UNSAFE_CHARS, '_'));
  // Leading dots (hidden files, "." and ".."), dashes (options) and spaces; trailing dots and spaces (Windows drops them).
  safe = safe.replace(/^[\s.-]+/u, '').replace(/[\s.]+$/u, '');
  if (RESERVED.test(safe)) safe = `_${safe}`;
  if (safe === '') safe = fallback;
  return truncate(safe, MAX_NAME_BYTES);
}

/** Splits "a.tar.gz" into "a.tar" and ".gz"; a name without a dot (or only a leading one) has no extension. */
export function splitExtension(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot > 17) return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

/** "name.ext", then "name (1).ext", "name (2).ext", ...: the first that `taken` says is free. */
export async function freeName(name: string, taken: (candidate: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(name))) return name;
  const { stem, extension } = splitExtension(name);
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/** At most `maxBytes` of UTF-8, whole code points, keeping a short extension. */
function truncate(name: string, maxBytes: number): string {
  if (utf8.encode(name).length <= maxBytes) return name;
  const { stem, extension } = splitExtension(name);
  const room = maxBytes - utf8.encode(extension).length;
  let out = '';
  let bytes = 0;
  for (const char of stem) {
    const size = utf8.encode(char).length;
    if (bytes + size > room) break;
    out += char;
    bytes += size;
  }
  return `${out.replace(/[\s.]+$/u, '') || FALLBACK}${extension}`;
}
