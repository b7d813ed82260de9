/**
 * Public API of the ShareThings crypto module (WebCrypto only; runs
 * unchanged in Node 20+ and browsers). Byte layouts: SPEC.md.
 */
export {
  base64urlDecode,
  base64urlEncode,
  bytesEqual,
  concatBytes,
  hexEncode,
  u32be,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';
export type { Bytes } from './encoding.ts';

export {
  LABELS,
  MASTER_KEY_BYTES,
  PBKDF2_ITERATIONS,
  deriveMasterBits,
  deriveSessionKeys,
  deriveSessionKeysFromMaster,
  fingerprintOf,
} from './keys.ts';
export type { SessionKeys } from './keys.ts';

export {
  JOIN_CHALLENGE_BYTES,
  JOIN_PROOF_LABEL,
  generateJoinChallenge,
  joinProofMessage,
  signJoinProof,
  verifyJoinProof,
} from './join-proof.ts';
export { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from './ed25519.ts';

export { AAD_LABELS, chunkAad, descriptorAad, nameAad } from './aad.ts';
export {
  CHUNK_IV_BYTES,
  GCM_TAG_BYTES,
  decryptChunk,
  decryptDescriptor,
  decryptName,
  encryptChunk,
  encryptDescriptor,
  encryptName,
} from './envelope.ts';
export type { ChunkAadParts, Sealed } from './envelope.ts';

export { MAX_MIME_TYPE_LENGTH, MAX_NAME_LENGTH, sanitizeName, validateDescriptor } from './descriptor.ts';
export type { ContentDescriptor, ContentKind } from './descriptor.ts';

export { ChunkSequenceVerifier } from './stream.ts';
export type { ChunkLayout } from './stream.ts';
