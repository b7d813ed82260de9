/**
 * Ed25519 through WebCrypto only. WebCrypto has no "import raw seed" for
 * private keys, so the 32-byte seed is wrapped in the fixed PKCS#8 header.
 */
import { base64urlDecode, concatBytes } from './encoding.ts';
import type { Bytes } from './encoding.ts';

export const ED25519_SEED_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } } (RFC 8410).
const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

const ALGORITHM = { name: 'Ed25519' } as const;

/** The 48-byte PKCS#8 DER encoding of an Ed25519 seed. */
export function ed25519Pkcs8(seed: Uint8Array): Bytes {
  if (seed.length !== ED25519_SEED_BYTES) throw new RangeError('Ed25519 seed must be 32 bytes');
  return concatBytes(PKCS8_ED25519_PREFIX, seed);
}

export async function ed25519KeyPairFromSeed(
  seed: Uint8Array,
): Promise<{ privateKey: CryptoKey; publicKey: Bytes }> {
  const subtle = globalThis.crypto.subtle;
  const pkcs8 = ed25519Pkcs8(seed);
  try {
    // WebCrypto cannot compute a public key directly; an extractable private
    // key exports as JWK, whose `x` is the public key. That copy is dropped.
    const extractable = await subtle.importKey('pkcs8', pkcs8, ALGORITHM, true, ['sign']);
    const jwk = await subtle.exportKey('jwk', extractable);
    if (typeof jwk.x !== 'string') throw new Error('Ed25519 JWK export has no public key');
    const publicKey = base64urlDecode(jwk.x);
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new Error('Ed25519 public key has wrong length');
    // The key actually kept can never be exported again.
    const privateKey = await subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']);
    return { privateKey, publicKey };
  } finally {
    pkcs8.fill(0);
  }
}

export async function ed25519Sign(privateKey: CryptoKey, message: Uint8Array<ArrayBuffer>): Promise<Bytes> {
  return new Uint8Array(await globalThis.crypto.subtle.sign(ALGORITHM, privateKey, message));
}

/** False, never a throw, for wrong lengths, invalid points or bad signatures. */
export async function ed25519Verify(
  publicKey: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', publicKey, ALGORITHM, false, ['verify']);
    return await subtle.verify(ALGORITHM, key, signature, message);
  } catch {
    return false;
  }
}
