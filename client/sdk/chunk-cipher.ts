/**
 * How the SDK seals and opens file chunks. Every implementation produces and
 * accepts the same envelopes (crypto/SPEC.md §3.1–3.3: AES-256-GCM, a random
 * 12-byte IV, the chunk AAD, ciphertext || tag) and throws the same errors
 * (INTEGRITY, INVALID_PAYLOAD). The portable one is WebCrypto
 * (protocol/crypto); Node's entry (node.ts) uses node-chunk-cipher.ts.
 */
import { decryptChunk, encryptChunk, type ChunkAadParts, type Sealed } from '../../protocol/crypto/index.ts';

export interface ChunkCipher {
  /**
   * `plaintext`'s memory is read into again for later chunks once the
   * returned promise settles: the sealed result must not share it, and
   * nothing may read it after (nor transfer it elsewhere).
   */
  seal(contentKey: CryptoKey, parts: ChunkAadParts, plaintext: Uint8Array): Promise<Sealed>;
  open(contentKey: CryptoKey, parts: ChunkAadParts, iv: Uint8Array, encryptedData: Uint8Array): Promise<Uint8Array>;
}

export const webCryptoChunkCipher: ChunkCipher = { seal: encryptChunk, open: decryptChunk };
