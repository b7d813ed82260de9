/**
 * Byte sizes the crypto layer relies on. They mirror protocol/limits.ts (a
 * test asserts that) but are kept here so this module depends on nothing
 * outside protocol/crypto except the error type.
 */

/** AES-GCM with a 96-bit IV: the size GCM is designed for (no GHASH of the IV). */
export const CHUNK_IV_BYTES = 12;
/** Full 128-bit GCM tag; shorter tags weaken forgery resistance. */
export const GCM_TAG_BYTES = 16;

/** Largest chunk plaintext, and so the largest descriptor `chunkSize`. */
export const MAX_CHUNK_PLAINTEXT_BYTES = 1024 * 1024;
/** Largest encrypted descriptor or name (ciphertext including tag). */
export const MAX_DESCRIPTOR_CIPHERTEXT_BYTES = 64 * 1024;
/** Most chunks one item may have. */
export const MAX_TOTAL_CHUNKS = 65_536;

/** Descriptor and name plaintexts are padded to a multiple of this. */
export const PAD_BLOCK_BYTES = 256;
