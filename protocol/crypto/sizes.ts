/**
 * Byte sizes the crypto layer relies on, under the names it uses; the values
 * come from protocol/limits.ts, the one source for protocol limits.
 */
export {
  IV_BYTES as CHUNK_IV_BYTES,
  GCM_TAG_BYTES,
  MAX_CHUNK_PLAINTEXT_BYTES,
  MAX_DESCRIPTOR_BYTES as MAX_DESCRIPTOR_CIPHERTEXT_BYTES,
  MAX_TOTAL_CHUNKS,
} from '../limits.ts';

/** Descriptor and name plaintexts are padded to a multiple of this. */
export const PAD_BLOCK_BYTES = 256;
