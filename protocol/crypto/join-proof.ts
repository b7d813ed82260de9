/**
 * Join challenge-response. The server keeps only the session's Ed25519 public
 * key (the verifier); a joiner proves passphrase knowledge by signing a fresh
 * server challenge, and no secret ever crosses the wire. See SPEC.md §4.
 */
import { asBufferSource, concatBytes, u32be, utf8Encode } from './encoding.ts';
import type { Bytes } from './encoding.ts';
import { ed25519Sign, ed25519Verify } from './ed25519.ts';
import type { SessionKeys } from './keys.ts';

export const JOIN_PROOF_LABEL = 'sharethings/v1/join-proof';
/** Challenges are exactly 32 random bytes: unguessable, and one fixed size to validate. */
export const JOIN_CHALLENGE_BYTES = 32;

/** A fresh challenge for the server to send (works in Node and browsers). */
export function generateJoinChallenge(): Bytes {
  return globalThis.crypto.getRandomValues(new Uint8Array(JOIN_CHALLENGE_BYTES));
}

/**
 * label || 0x00 || u32be(len(sessionId)) || sessionId || challenge. The
 * session id binds the proof to one session; the challenge, to one attempt.
 */
export function joinProofMessage(sessionId: string, challenge: Uint8Array): Bytes {
  const id = utf8Encode(sessionId);
  return concatBytes(utf8Encode(JOIN_PROOF_LABEL), new Uint8Array([0]), u32be(id.length), id, challenge);
}

/** The 64-byte signature a joiner sends back. */
export async function signJoinProof(
  keys: Pick<SessionKeys, 'authPrivateKey'>,
  sessionId: string,
  challenge: Uint8Array,
): Promise<Bytes> {
  if (challenge.length !== JOIN_CHALLENGE_BYTES) {
    throw new RangeError(`join challenge must be ${JOIN_CHALLENGE_BYTES} bytes`);
  }
  return ed25519Sign(keys.authPrivateKey, joinProofMessage(sessionId, challenge));
}

/** Server side. Returns false (never throws) on any malformed or wrong input. */
export async function verifyJoinProof(
  publicKey: Uint8Array,
  sessionId: string,
  challenge: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (!(challenge instanceof Uint8Array) || challenge.length !== JOIN_CHALLENGE_BYTES) return false;
    if (typeof sessionId !== 'string') return false;
    return await ed25519Verify(
      asBufferSource(publicKey),
      asBufferSource(signature),
      joinProofMessage(sessionId, challenge),
    );
  } catch {
    return false;
  }
}
