/**
 * Fresh session ids and passphrases from the browser's CSPRNG. A passphrase
 * is PASSPHRASE_WORDS words of the EFF short list: 7 x log2(1296) = 72.4 bits,
 * well past the 64 bits that, behind 600,000 PBKDF2 iterations per guess,
 * keep an offline search out of reach. Session ids are not secret, only
 * hard to stumble on: 12 characters from a 31-letter alphabet, 59 bits.
 */
import { WORDS } from './wordlist.ts';

export const PASSPHRASE_WORDS = 7;
export const PASSPHRASE_BITS = PASSPHRASE_WORDS * Math.log2(WORDS.length);

/** No 0/o, 1/l/i: nothing that is misread when copied by hand. */
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A uniform integer in [0, n), by rejection sampling (no modulo bias). */
function randomBelow(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buffer = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buffer);
    if (buffer[0]! < limit) return buffer[0]! % n;
  }
}

export function generatePassphrase(words = PASSPHRASE_WORDS): string {
  return Array.from({ length: words }, () => WORDS[randomBelow(WORDS.length)]).join('-');
}

/** "k7wm-q3xa-9fhp": grouped in fours for reading aloud. */
export function generateSessionId(): string {
  const chars = Array.from({ length: 12 }, () => ID_ALPHABET[randomBelow(ID_ALPHABET.length)]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((group) => group.join('')).join('-');
}
