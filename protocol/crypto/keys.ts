/**
 * Session key derivation: passphrase -> PBKDF2 master -> HKDF subkeys.
 * Everything a session needs comes from (sessionId, passphrase); nothing
 * secret is ever stored or sent. See SPEC.md §2.
 */
import { asBufferSource, concatBytes, hexEncode, utf8Encode } from './encoding.ts';
import type { Bytes } from './encoding.ts';
import { ed25519KeyPairFromSeed } from './ed25519.ts';

/** OWASP 2023 recommendation for PBKDF2-HMAC-SHA-256. */
export const PBKDF2_ITERATIONS = 600_000;
export const MASTER_KEY_BYTES = 32;

export const LABELS = {
  pbkdf2Salt: 'sharethings/v1/pbkdf2-salt/',
  hkdfSalt: 'sharethings/v1/hkdf-salt/',
  content: 'sharethings/v1/content',
  metadata: 'sharethings/v1/metadata',
  auth: 'sharethings/v1/auth',
  fingerprint: 'sharethings/v1/fingerprint',
} as const;

export interface SessionKeys {
  /** AES-256-GCM, non-extractable: chunk payloads. */
  readonly contentKey: CryptoKey;
  /** AES-256-GCM, non-extractable: descriptors and names. */
  readonly metadataKey: CryptoKey;
  /** Ed25519 private key, non-extractable: join proofs. */
  readonly authPrivateKey: CryptoKey;
  /** Raw 32-byte Ed25519 public key: the verifier the server stores. */
  readonly authPublicKey: Uint8Array;
  /** "XXXX-XXXX-XXXX-XXXX" for people to compare out of band. */
  readonly fingerprint: string;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/**
 * The slow, passphrase-dependent step. Split out so a browser can run it in a
 * Worker and transfer the 32 raw bytes to the page.
 */
export async function deriveMasterBits(
  sessionId: string,
  passphrase: string,
  iterations: number = PBKDF2_ITERATIONS,
): Promise<Bytes> {
  if (passphrase.length === 0) throw new RangeError('passphrase must not be empty');
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError('iterations must be a positive integer');
  }
  // NFKC so the same passphrase typed on different keyboards/OSes matches.
  const password = utf8Encode(passphrase.normalize('NFKC'));
  const baseKey = await subtle().importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  password.fill(0);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: utf8Encode(LABELS.pbkdf2Salt + sessionId), iterations },
    baseKey,
    MASTER_KEY_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** The fast step: HKDF subkeys, Ed25519 pair and fingerprint from master bits. */
export async function deriveSessionKeysFromMaster(
  sessionId: string,
  masterBits: Uint8Array,
): Promise<SessionKeys> {
  if (masterBits.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`master bits must be exactly ${MASTER_KEY_BYTES} bytes`);
  }
  const hkdfKey = await subtle().importKey('raw', asBufferSource(masterBits), 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ]);
  const salt = utf8Encode(LABELS.hkdfSalt + sessionId);
  const params = (label: string): HkdfParams => ({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8Encode(label) });
  const aesKey = (label: string): Promise<CryptoKey> =>
    subtle().deriveKey(params(label), hkdfKey, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

  const [contentKey, metadataKey, seedBits] = await Promise.all([
    aesKey(LABELS.content),
    aesKey(LABELS.metadata),
    subtle().deriveBits(params(LABELS.auth), hkdfKey, 256),
  ]);
  const seed = new Uint8Array(seedBits);
  const { privateKey: authPrivateKey, publicKey: authPublicKey } = await ed25519KeyPairFromSeed(seed);
  seed.fill(0);
  return { contentKey, metadataKey, authPrivateKey, authPublicKey, fingerprint: await fingerprintOf(authPublicKey) };
}

/** PBKDF2 then HKDF: ~0.2-1 s at the default iteration count, by design. */
export async function deriveSessionKeys(
  sessionId: string,
  passphrase: string,
  iterations: number = PBKDF2_ITERATIONS,
): Promise<SessionKeys> {
  const master = await deriveMasterBits(sessionId, passphrase, iterations);
  try {
    return await deriveSessionKeysFromMaster(sessionId, master);
  } finally {
    master.fill(0); // best effort: the engine may hold other copies
  }
}

// Crockford base32: no I, L, O, U, so nothing is misread when read aloud.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * First 80 bits of SHA-256(label || publicKey) as 16 Crockford base32 digits
 * in 4 groups. 80 bits keeps a targeted second preimage out of reach.
 */
export async function fingerprintOf(publicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await subtle().digest('SHA-256', concatBytes(utf8Encode(LABELS.fingerprint), publicKey)),
  );
  let value = BigInt('0x' + hexEncode(digest.subarray(0, 10)));
  let digits = '';
  for (let i = 0; i < 16; i++) {
    digits = CROCKFORD[Number(value & 31n)]! + digits;
    value >>= 5n;
  }
  return digits.match(/.{4}/g)!.join('-');
}
