/**
 * Reading an item from a byte offset (a download resumed from a partial
 * file): the bytes from there on, and no fetch of the chunks before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../server/testing/harness.ts';
import { MiB, newClient, randomData, sha256 } from './test-helpers.ts';
import type { ReceivedItem } from './index.ts';

const CHUNK = 256 * 1024;

async function readFrom(item: ReceivedItem, offset: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of item.stream({ offset })) parts.push(chunk.slice());
  return new Uint8Array(Buffer.concat(parts));
}

test('stream({ offset }) yields the item from that byte and fetches only the chunks from the one holding it', async (t) => {
  const server = await startServer(t);
  const fetched: number[] = [];
  server.app.io.on('connection', (socket) => {
    socket.onAny((event: string, payload: { chunkIndex?: number }) => {
      if (event === 'fetch-chunk') fetched.push(payload.chunkIndex!);
    });
  });
  const alice = newClient(t, server.url, 'Alice');
  await alice.join('offset', 'test passphrase');
  const data = randomData(2 * MiB + 100);
  await alice.shareFile(data, { name: 'a.bin', type: '' });

  for (const offset of [0, 5 * CHUNK + 7, 4 * CHUNK, data.length - 1, data.length]) {
    fetched.length = 0;
    const bob = newClient(t, server.url, 'Bob');
    const { history } = await bob.join('offset', 'test passphrase');
    const bytes = await readFrom(history.items[0]!, offset);
    assert.equal(sha256(bytes), sha256(data.subarray(offset)), `offset ${offset}`);
    // Nothing at all when everything was read already.
    const first = offset === data.length ? Infinity : Math.floor(offset / CHUNK);
    assert.equal(Math.min(...fetched, Infinity), first, `offset ${offset}: fetched ${fetched}`);
    bob.close();
  }
});

test('an offset outside the item is refused', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server.url, 'Alice');
  await alice.join('offset-bad', 'test passphrase');
  await alice.shareFile(randomData(1000), { name: 'a.bin', type: '' });
  const bob = newClient(t, server.url, 'Bob');
  const { history } = await bob.join('offset-bad', 'test passphrase');
  for (const offset of [-1, 1001, 1.5]) {
    await assert.rejects(readFrom(history.items[0]!, offset), { name: 'ShareError', code: 'INVALID_PAYLOAD' });
  }
});
