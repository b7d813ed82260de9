import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../errors.ts';
import { descriptorAad } from './aad.ts';
import { sealGcm } from './aead.ts';
import type { ContentDescriptor } from './descriptor.ts';
import { concatBytes, utf8Encode } from './encoding.ts';
import {
  CHUNK_IV_BYTES,
  GCM_TAG_BYTES,
  decryptChunk,
  decryptDescriptor,
  decryptName,
  encryptChunk,
  encryptDescriptor,
  encryptName,
} from './envelope.ts';
import type { ChunkAadParts } from './envelope.ts';
import { padPlaintext } from './padding.ts';
import { ChunkSequenceVerifier } from './stream.ts';
import { fastKeys, flipBit, randomBytes } from './test-support.ts';

const SESSION = 'envelope-session';
const keys = await fastKeys(SESSION, 'envelope passphrase');

const isCode = (code: string) => (error: unknown): boolean => {
  assert.ok(error instanceof ProtocolError, `expected ProtocolError, got ${String(error)}`);
  assert.equal(error.code, code);
  return true;
};
const INTEGRITY = isCode('INTEGRITY');
const INVALID = isCode('INVALID_PAYLOAD');

const at = (contentId: string, chunkIndex: number, totalChunks: number, sessionId = SESSION): ChunkAadParts =>
  ({ sessionId, contentId, chunkIndex, totalChunks });

/** Splits into 1 KiB chunks and encrypts each one. */
async function encryptItem(contentId: string, data: Uint8Array) {
  const total = Math.ceil(data.length / 1024);
  const chunks = [];
  for (let i = 0; i < total; i++) {
    chunks.push(await encryptChunk(keys.contentKey, at(contentId, i, total), data.subarray(i * 1024, (i + 1) * 1024)));
  }
  return chunks;
}

test('A chunk round-trips with a fresh 12-byte IV and a 16-byte tag', async () => {
  const plaintext = randomBytes(5000);
  const a = await encryptChunk(keys.contentKey, at('item', 0, 1), plaintext);
  const b = await encryptChunk(keys.contentKey, at('item', 0, 1), plaintext);
  assert.equal(a.iv.length, CHUNK_IV_BYTES);
  assert.equal(a.encryptedData.length, plaintext.length + GCM_TAG_BYTES);
  assert.notDeepEqual(a.iv, b.iv, 'same content must still get a new IV');
  assert.deepEqual(await decryptChunk(keys.contentKey, at('item', 0, 1), a.iv, a.encryptedData), plaintext);
});

test('A flipped bit in the ciphertext, the IV or the tag is rejected as INTEGRITY', async () => {
  const { iv, encryptedData } = await encryptChunk(keys.contentKey, at('item', 0, 1), randomBytes(100));
  const open = (i: Uint8Array, d: Uint8Array) => decryptChunk(keys.contentKey, at('item', 0, 1), i, d);
  await assert.rejects(open(iv, flipBit(encryptedData, 3)), INTEGRITY);
  await assert.rejects(open(flipBit(iv, 11), encryptedData), INTEGRITY);
  await assert.rejects(open(iv, flipBit(encryptedData, encryptedData.length - 1)), INTEGRITY);
});

test('A chunk is rejected under another item, session, index or total', async () => {
  const { iv, encryptedData } = await encryptChunk(keys.contentKey, at('item-a', 1, 3), randomBytes(64));
  const otherSession = await fastKeys('other-session', 'envelope passphrase');
  for (const parts of [at('item-b', 1, 3), at('item-a', 1, 3, 'other-session'), at('item-a', 0, 3), at('item-a', 1, 2)]) {
    await assert.rejects(decryptChunk(keys.contentKey, parts, iv, encryptedData), INTEGRITY);
  }
  // Also with the other session's own key, as a real cross-session move would be.
  await assert.rejects(decryptChunk(otherSession.contentKey, at('item-a', 1, 3, 'other-session'), iv, encryptedData), INTEGRITY);
});

test('Chunks swapped between two items or reordered within one are rejected', async () => {
  const [a0, a1] = await encryptItem('item-a', randomBytes(2048));
  const [b0] = await encryptItem('item-b', randomBytes(2048));
  await assert.rejects(decryptChunk(keys.contentKey, at('item-a', 0, 2), b0!.iv, b0!.encryptedData), INTEGRITY);
  await assert.rejects(decryptChunk(keys.contentKey, at('item-a', 0, 2), a1!.iv, a1!.encryptedData), INTEGRITY);
  await assert.rejects(decryptChunk(keys.contentKey, at('item-a', 1, 2), a0!.iv, a0!.encryptedData), INTEGRITY);
});

test('A truncated chunk list is detected by the sequence verifier', async () => {
  const data = randomBytes(3000);
  const chunks = await encryptItem('item', data);
  const verifier = new ChunkSequenceVerifier(chunks.length, { size: data.length, chunkSize: 1024 });
  for (const [index, chunk] of chunks.slice(0, 2).entries()) {
    const plaintext = await decryptChunk(keys.contentKey, at('item', index, 3), chunk.iv, chunk.encryptedData);
    verifier.accept(index, plaintext);
  }
  assert.equal(verifier.isComplete(), false);
  assert.deepEqual(verifier.missing(), [2]);
  assert.throws(() => verifier.assertComplete(), INTEGRITY);
});

test('The wrong key is rejected, including the metadata key of the same session', async () => {
  const { iv, encryptedData } = await encryptChunk(keys.contentKey, at('item', 0, 1), randomBytes(10));
  const stranger = await fastKeys(SESSION, 'another passphrase');
  await assert.rejects(decryptChunk(stranger.contentKey, at('item', 0, 1), iv, encryptedData), INTEGRITY);
  await assert.rejects(decryptChunk(keys.metadataKey, at('item', 0, 1), iv, encryptedData), INTEGRITY);
});

test('Malformed envelopes are INVALID_PAYLOAD rather than decrypted', async () => {
  const { iv, encryptedData } = await encryptChunk(keys.contentKey, at('item', 0, 1), randomBytes(10));
  await assert.rejects(decryptChunk(keys.contentKey, at('item', 0, 1), iv.subarray(0, 8), encryptedData), INVALID);
  await assert.rejects(decryptChunk(keys.contentKey, at('item', 0, 1), iv, encryptedData.subarray(0, 15)), INVALID);
  await assert.rejects(decryptChunk(keys.contentKey, at('item', 1, 1), iv, encryptedData), INVALID);
  await assert.rejects(decryptChunk(keys.contentKey, at('item', -1, 1), iv, encryptedData), INVALID);
});

const fileDescriptor = (name: string): ContentDescriptor => ({
  kind: 'file',
  name,
  mimeType: 'application/pdf',
  size: 2500,
  chunkSize: 1024,
  sha256: 'ab'.repeat(32),
});

test('A descriptor round-trips and is bound to its item and chunk count', async () => {
  const image: ContentDescriptor = { kind: 'image', name: 'cat.png', mimeType: 'image/png', size: 10, width: 4, height: 3, chunkSize: 1024 };
  const sealed = await encryptDescriptor(keys.metadataKey, SESSION, 'item', 1, image);
  assert.deepEqual(await decryptDescriptor(keys.metadataKey, SESSION, 'item', 1, sealed.iv, sealed.encryptedData), image);
  await assert.rejects(decryptDescriptor(keys.metadataKey, SESSION, 'item', 2, sealed.iv, sealed.encryptedData), INTEGRITY);
  await assert.rejects(decryptDescriptor(keys.metadataKey, SESSION, 'other', 1, sealed.iv, sealed.encryptedData), INTEGRITY);
  await assert.rejects(decryptDescriptor(keys.contentKey, SESSION, 'item', 1, sealed.iv, sealed.encryptedData), INTEGRITY);

  const note: ContentDescriptor = { kind: 'text', name: '', mimeType: 'text/plain', size: 6, text: 'héllo', chunkSize: 1 };
  const inline = await encryptDescriptor(keys.metadataKey, SESSION, 'note', 0, note);
  assert.deepEqual(await decryptDescriptor(keys.metadataKey, SESSION, 'note', 0, inline.iv, inline.encryptedData), note);
});

test('Padding hides the name length: 3- and 40-character names give the same ciphertext size', async () => {
  const short = await encryptDescriptor(keys.metadataKey, SESSION, 'item', 3, fileDescriptor('a.b'));
  const long = await encryptDescriptor(keys.metadataKey, SESSION, 'item', 3, fileDescriptor('x'.repeat(36) + '.pdf'));
  assert.equal(short.encryptedData.length, long.encryptedData.length);
  assert.equal(short.encryptedData.length, 256 + GCM_TAG_BYTES);
  const renamedShort = await encryptName(keys.metadataKey, SESSION, 'item', 'a.b');
  const renamedLong = await encryptName(keys.metadataKey, SESSION, 'item', 'x'.repeat(40));
  assert.equal(renamedShort.encryptedData.length, renamedLong.encryptedData.length);
});

test('A rename round-trips and cannot be confused with a descriptor', async () => {
  const sealed = await encryptName(keys.metadataKey, SESSION, 'item', 'report (final).pdf');
  assert.equal(await decryptName(keys.metadataKey, SESSION, 'item', sealed.iv, sealed.encryptedData), 'report (final).pdf');
  await assert.rejects(decryptName(keys.metadataKey, SESSION, 'other', sealed.iv, sealed.encryptedData), INTEGRITY);
  await assert.rejects(decryptDescriptor(keys.metadataKey, SESSION, 'item', 0, sealed.iv, sealed.encryptedData), INTEGRITY);
});

/** Encrypts arbitrary bytes as if a buggy or hostile peer had sent them as a descriptor. */
async function sealRawDescriptor(plaintext: Uint8Array, totalChunks = 3) {
  return sealGcm(keys.metadataKey, descriptorAad(SESSION, 'item', totalChunks), plaintext);
}

test('Authentic but malformed descriptors are rejected as INVALID_PAYLOAD', async () => {
  const open = (sealed: { iv: Uint8Array; encryptedData: Uint8Array }, totalChunks = 3) =>
    decryptDescriptor(keys.metadataKey, SESSION, 'item', totalChunks, sealed.iv, sealed.encryptedData);
  const json = (value: unknown) => sealRawDescriptor(padPlaintext(utf8Encode(JSON.stringify(value))));
  const good = fileDescriptor('ok.pdf');

  await assert.rejects(open(await sealRawDescriptor(padPlaintext(utf8Encode('{"kind":')))), INVALID);
  await assert.rejects(open(await sealRawDescriptor(padPlaintext(new Uint8Array([0xff, 0xfe])))), INVALID);
  await assert.rejects(open(await sealRawDescriptor(utf8Encode(JSON.stringify(good)))), INVALID); // unpadded
  const badPadding = padPlaintext(utf8Encode(JSON.stringify(good)));
  badPadding[255] = 1;
  await assert.rejects(open(await sealRawDescriptor(badPadding)), INVALID);
  const hugeLength = concatBytes(new Uint8Array([0, 0, 1, 0]), new Uint8Array(252));
  await assert.rejects(open(await sealRawDescriptor(hugeLength)), INVALID);

  for (const bad of [
    null,
    [good],
    { ...good, kind: 'folder' },
    { ...good, size: -1 },
    { ...good, size: 1.5 },
    { ...good, chunkSize: 0 },
    { ...good, name: 42 },
    { ...good, name: 'evil\u202Etxt.exe' },
    { ...good, sha256: 'AB'.repeat(32) },
    { ...good, width: 10, height: 10 },
    { ...good, extra: true },
    { ...good, size: 9999 },
    { ...good, text: 'inline' },
    JSON.parse('{"__proto__":{"polluted":1},"kind":"file"}'),
  ]) {
    await assert.rejects(open(await json(bad)), INVALID, JSON.stringify(bad));
  }
  assert.deepEqual(await open(await json(good)), good);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('Senders cannot encrypt invalid or oversized descriptors', async () => {
  await assert.rejects(encryptDescriptor(keys.metadataKey, SESSION, 'item', 2, fileDescriptor('a')), INVALID);
  const tooLong: ContentDescriptor = { kind: 'text', name: 't', mimeType: 'text/plain', size: 70_000, text: 'x'.repeat(70_000), chunkSize: 1 };
  await assert.rejects(encryptDescriptor(keys.metadataKey, SESSION, 'item', 0, tooLong), isCode('PAYLOAD_TOO_LARGE'));
});
