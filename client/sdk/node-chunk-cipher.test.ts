import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../protocol/errors.ts';
import { deriveSessionKeys } from '../../protocol/crypto/index.ts';
import { webCryptoChunkCipher, type ChunkCipher } from './chunk-cipher.ts';
import { nodeChunkCipher } from './node-chunk-cipher.ts';

const keys = deriveSessionKeys('cipher-test', 'a passphrase for this test', 1000);
const parts = { sessionId: 'cipher-test', contentId: 'item-1', chunkIndex: 1, totalChunks: 3 };
const code = (expected: string) => (error: unknown) => error instanceof ProtocolError && error.code === expected;
const ciphers: Array<[string, ChunkCipher]> = [['node:crypto', nodeChunkCipher], ['WebCrypto', webCryptoChunkCipher]];

for (const [sealer, seal] of ciphers) {
  for (const [opener, open] of ciphers) {
    test(`a chunk sealed with ${sealer} opens with ${opener}`, async () => {
      const { contentKey } = await keys;
      const plaintext = randomBytes(256 * 1024 + 7);
      const sealed = await seal.seal(contentKey, parts, plaintext);
      assert.equal(sealed.iv.length, 12);
      assert.equal(sealed.encryptedData.length, plaintext.length + 16);
      assert.deepEqual(Buffer.from(await open.open(contentKey, parts, sealed.iv, sealed.encryptedData)), plaintext);
    });
  }
}

test('node:crypto refuses a chunk moved to another index, or altered, with INTEGRITY, and a bad IV with INVALID_PAYLOAD', async () => {
  const { contentKey, metadataKey } = await keys;
  const sealed = await webCryptoChunkCipher.seal(contentKey, parts, randomBytes(1000));
  await assert.rejects(nodeChunkCipher.open(contentKey, { ...parts, chunkIndex: 2 }, sealed.iv, sealed.encryptedData), code('INTEGRITY'));
  const altered = new Uint8Array(sealed.encryptedData);
  altered[10]! ^= 1;
  await assert.rejects(nodeChunkCipher.open(contentKey, parts, sealed.iv, altered), code('INTEGRITY'));
  await assert.rejects(nodeChunkCipher.open(metadataKey, parts, sealed.iv, sealed.encryptedData), code('INTEGRITY'));
  await assert.rejects(nodeChunkCipher.open(contentKey, parts, sealed.iv.subarray(0, 8), sealed.encryptedData), code('INVALID_PAYLOAD'));
  await assert.rejects(nodeChunkCipher.open(contentKey, parts, sealed.iv, sealed.encryptedData.subarray(0, 15)), code('INVALID_PAYLOAD'));
});

test('node:crypto seals each chunk under a fresh IV', async () => {
  const { contentKey } = await keys;
  const plaintext = randomBytes(64);
  const [a, b] = [await nodeChunkCipher.seal(contentKey, parts, plaintext), await nodeChunkCipher.seal(contentKey, parts, plaintext)];
  assert.notDeepEqual(a.iv, b.iv);
  assert.notDeepEqual(a.encryptedData, b.encryptedData);
});
