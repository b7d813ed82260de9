/**
 * Shared fixtures for the *.test.ts files (not part of the public API).
 * A low PBKDF2 iteration count keeps tests fast; the real count is exercised
 * once, in vectors.test.ts.
 */
import { deriveSessionKeys } from './keys.ts';
import type { SessionKeys } from './keys.ts';

export const FAST_ITERATIONS = 1_000;

const cache = new Map<string, Promise<SessionKeys>>();

/** Session keys with FAST_ITERATIONS, memoised per (sessionId, passphrase). */
export function fastKeys(sessionId: string, passphrase: string): Promise<SessionKeys> {
  const id = JSON.stringify([sessionId, passphrase]);
  let keys = cache.get(id);
  if (!keys) {
    keys = deriveSessionKeys(sessionId, passphrase, FAST_ITERATIONS);
    cache.set(id, keys);
  }
  return keys;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  // getRandomValues is capped at 65,536 bytes per call.
  for (let i = 0; i < length; i += 65_536) globalThis.crypto.getRandomValues(out.subarray(i, i + 65_536));
  return out;
}

/** A copy with one bit flipped at `index`. */
export function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
