/**
 * AES-256-GCM seal/open with a fresh random IV per message. Every failure on
 * open becomes one INTEGRITY error so callers cannot leak which check failed.
 */
import { ProtocolError } from '../errors.ts';
import { asBufferSource } from './encoding.ts';
import type { Bytes } from './encoding.ts';
import { CHUNK_IV_BYTES, GCM_TAG_BYTES } from './sizes.ts';

export interface Sealed {
  /** 12 random bytes, sent alongside the ciphertext. */
  readonly iv: Bytes;
  /** Ciphertext followed by the 16-byte tag (WebCrypto's layout). */
  readonly encryptedData: Bytes;
}

/**
 * The IV always comes from the CSPRNG, never from content or a counter:
 * several devices encrypt under the same session key with no coordination,
 * and 2^-32 collision odds hold up to ~2^32 messages per key.
 */
export async function sealGcm(key: CryptoKey, aad: Bytes, plaintext: Uint8Array): Promise<Sealed> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(CHUNK_IV_BYTES));
  const encrypted = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad, tagLength: GCM_TAG_BYTES * 8 },
    key,
    asBufferSource(plaintext),
  );
  return { iv, encryptedData: new Uint8Array(encrypted) };
}

export async function openGcm(key: CryptoKey, aad: Bytes, iv: Uint8Array, encryptedData: Uint8Array): Promise<Bytes> {
  // WebCrypto accepts any IV length, so the 12-byte rule is enforced here.
  if (!(iv instanceof Uint8Array) || iv.length !== CHUNK_IV_BYTES) {
    throw new ProtocolError('INVALID_PAYLOAD', `iv must be ${CHUNK_IV_BYTES} bytes`);
  }
  if (!(encryptedData instanceof Uint8Array) || encryptedData.length < GCM_TAG_BYTES) {
    throw new ProtocolError('INVALID_PAYLOAD', 'encrypted data is shorter than the tag');
  }
  try {
    const plaintext = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: asBufferSource(iv), additionalData: aad, tagLength: GCM_TAG_BYTES * 8 },
      key,
      asBufferSource(encryptedData),
    );
    return new Uint8Array(plaintext);
  } catch {
    throw new ProtocolError('INTEGRITY', 'decryption failed');
  }
}
