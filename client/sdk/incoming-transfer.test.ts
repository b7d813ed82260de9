import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSessionKeys, encryptChunk, encryptDescriptor, type SessionKeys } from '../../protocol/crypto/index.ts';
import type { Chunk } from '../../protocol/schemas.ts';
import { Semaphore } from './flow.ts';
import { IncomingTransfer, type TransferContext } from './incoming-transfer.ts';
import { webCryptoChunkCipher } from './chunk-cipher.ts';

const SESSION = 'incoming-transfer-test';
const CONTENT = 'item-1';
const CHUNK = 4;
const PLAINTEXT = [new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6, 7, 8])];

let keysPromise: Promise<SessionKeys> | undefined;
const keys = () => (keysPromise ??= deriveSessionKeys(SESSION, 'a passphrase for this test', 1000));

async function seal(chunkIndex: number, plaintext: Uint8Array): Promise<Chunk> {
  const parts = { sessionId: SESSION, contentId: CONTENT, chunkIndex, totalChunks: PLAINTEXT.length };
  const { iv, encryptedData } = await encryptChunk((await keys()).contentKey, parts, plaintext);
  return { contentId: CONTENT, chunkIndex, totalChunks: PLAINTEXT.length, iv, encryptedData };
}

/** A transfer of the two-chunk item above, pushed to by the test (no server: nothing is fetched). */
async function transfer(): Promise<{ incoming: IncomingTransfer; failures: Error[] }> {
  const sessionKeys = await keys();
  const descriptor = { kind: 'file' as const, name: 'a.bin', mimeType: '', size: 8, chunkSize: CHUNK };
  const sealed = await encryptDescriptor(sessionKeys.metadataKey, SESSION, CONTENT, PLAINTEXT.length, descriptor);
  const ctx: TransferContext = {
    sessionId: SESSION,
    keys: sessionKeys,
    chunkCipher: webCryptoChunkCipher,
    ready: async () => {},
    fetchChunk: () => Promise.reject(new Error('nothing is fetched in this test')),
    fetchSlots: new Semaphore(4),
    receiveBufferBytes: 1024 * 1024,
    stallTimeoutMs: 0,
  };
  const failures: Error[] = [];
  const header = { contentId: CONTENT, senderId: 'sender', totalChunks: PLAINTEXT.length, iv: sealed.iv, encryptedDescriptor: sealed.encryptedData };
  const incoming = new IncomingTransfer(header, { stored: false, receivedChunks: 0, senderPresent: true }, ctx, {
    onProgress: () => {},
    onVerifyFailure: (error) => failures.push(error),
  });
  return { incoming, failures };
}

const tampered = (chunk: Chunk): Chunk => {
  const encryptedData = new Uint8Array(chunk.encryptedData);
  encryptedData[0]! ^= 1;
  return { ...chunk, encryptedData };
};

test('a later copy of a chunk already accepted is dropped unread: neither a forged nor a different copy changes the item', async () => {
  const { incoming, failures } = await transfer();
  incoming.push(await seal(0, PLAINTEXT[0]!), true);
  assert.deepEqual(await incoming.queue.take(), PLAINTEXT[0]);
  // Neither would be read: a forged copy (it would fail authentication) and another authentic plaintext for index 0.
  incoming.push(tampered(await seal(0, PLAINTEXT[0]!)), true);
  incoming.push(await seal(0, new Uint8Array([9, 9, 9, 9])), true);
  incoming.push(await seal(1, PLAINTEXT[1]!), true);
  assert.deepEqual(await incoming.queue.take(), PLAINTEXT[1]);
  await incoming.received;
  assert.equal(incoming.settled, 'complete');
  assert.deepEqual(failures, []);
});

test('a copy arriving while the first copy of its index is being decrypted is dropped unread', async () => {
  const { incoming, failures } = await transfer();
  incoming.push(await seal(0, PLAINTEXT[0]!), true);
  incoming.push(tampered(await seal(0, PLAINTEXT[0]!)), true);
  incoming.push(await seal(1, PLAINTEXT[1]!), true);
  assert.deepEqual(await incoming.queue.take(), PLAINTEXT[0]);
  assert.deepEqual(await incoming.queue.take(), PLAINTEXT[1]);
  await incoming.received;
  assert.deepEqual(failures, []);
});

test('a first copy that fails authentication still fails the item', async () => {
  const { incoming, failures } = await transfer();
  incoming.push(tampered(await seal(0, PLAINTEXT[0]!)), true);
  await assert.rejects(incoming.received, (error: Error & { code?: string }) => error.code === 'INTEGRITY');
  assert.equal(failures.length, 1);
});
