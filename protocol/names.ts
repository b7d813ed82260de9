/**
 * One check for every name a person reads: display names (`clientName`,
 * checked by the server) and file names (end-to-end encrypted, so checked by
 * the clients: the SDK when it receives, the web app and the CLI when they
 * show or save). A name must read as what it is: no characters that are
 * invisible, reorder the text, or pad it so an extension leaves the screen
 * (`report.pdf\u200b\u3000\u3000.exe`). Letters of every script pass ("José",
 * "東京", "مرحبا"), and the joiners that scripts and emoji need (ZWNJ, ZWJ)
 * pass between two non-ASCII characters.
 */

/**
 * Controls (C0, DEL, C1), bidirectional marks, embeddings, overrides and
 * isolates (U+061C, U+200E/F, U+202A-E, U+2066-9), zero-width and invisible
 * characters (soft hyphen, U+034F, U+115F/U+1160, U+17B4/5, U+180E,
 * U+200B, U+2060-U+2064, U+206A-F, U+3164, U+FEFF, U+FFA0, U+FFF9-B, tags).
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/gu;
/** ZWNJ and ZWJ outside a run of non-ASCII characters (where Persian, Indic scripts and emoji use them). */
const STRAY_JOINER = /(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])/gu;
/** Spacing other than U+0020: no-break, en/em, thin, ideographic... and line/paragraph separators. */
const ODD_SPACE = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gu;

export type NameProblem = 'invisible' | 'spacing' | 'padding';

/** What is wrong with a name, or undefined when it reads as what it is (after NFC). */
export function nameProblem(name: string): NameProblem | undefined {
  const text = name.normalize('NFC');
  if (test(INVISIBLE, text) || test(STRAY_JOINER, text)) return 'invisible';
  if (test(ODD_SPACE, text)) return 'spacing';
  if (/\s{2,}|^\s|\s$/u.test(text)) return 'padding';
  return undefined;
}

/** A short reason for nameProblem(), to follow the field's name. */
export function describeNameProblem(problem: NameProblem): string {
  switch (problem) {
    case 'invisible':
      return 'must not contain invisible, zero-width or bidirectional control characters';
    case 'spacing':
      return 'must not contain spaces other than U+0020';
    case 'padding':
      return 'must not start or end with spaces or contain several in a row';
  }
}

/**
 * The name as it is safe to show: NFC, invisible characters removed, other
 * spaces made plain, runs of spaces collapsed, trimmed. `fallback` when
 * nothing is left. cleanName(x) passes nameProblem().
 */
export function cleanName(name: string, fallback = ''): string {
  const clean = String(name)
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(STRAY_JOINER, '')
    .replace(ODD_SPACE, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return clean === '' ? fallback : clean;
}

/**
 * The extension a system will go by: from the last dot of the clean name,
 * lower case, without the dot ("" when there is none, or for ".bashrc").
 */
export function finalExtension(name: string): string {
  const clean = cleanName(name);
  const dot = clean.lastIndexOf('.');
  if (dot <= 0 || dot === clean.length - 1) return '';
  return clean.slice(dot + 1).toLowerCase();
}

function test(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}
