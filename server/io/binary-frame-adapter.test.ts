import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as stockParser from 'socket.io-msgpack-parser';
import { MaskInPlaceWebSocket } from '../../client/sdk/node-websocket.ts';
import { connect, join, nextEvent, startServer, type ClientSocket, type TestServer } from '../testing/harness.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Counts, on the server, the chunk packets written with a computed frame and those encoded whole. */
function watchChunkWrites(server: TestServer): { framed: number; whole: number } {
  const counts = { framed: 0, whole: 0 };
  server.app.io.engine.on('connection', (raw: { on(event: 'packetCreate', listener: (packet: { data?: unknown; options?: { wsPreEncodedFrame?: unknown } }) => void): void }) => {
    raw.on('packetCreate', (packet) => {
      const data = packet.data;
      if (!(data instanceof Uint8Array) || data.byteLength < 100_000) return; // only the large chunk packets
      if (packet.options?.wsPreEncodedFrame) counts.framed++;
      else counts.whole++;
    });
  });
  return counts;
}

async function member(t: TestContext, server: TestServer, name: string, options: Parameters<typeof connect>[2] = {}): Promise<ClientSocket> {
  const socket = await connect(t, server, options);
  const ack = await join(socket, 'frames', name);
  assert.equal(ack.success, true, `${name} joined`);
  return socket;
}

async function sendChunk(sender: ClientSocket, contentId: string, data: Uint8Array): Promise<void> {
  const content = await sender.emitWithAck('content', {
    sessionId: 'frames',
    content: { contentId, totalChunks: 1, encryptedDescriptor: randomBytes(256), iv: randomBytes(12) },
  });
  assert.equal(content.success, true);
  const ack = await sender.emitWithAck('chunk', {
    sessionId: 'frames',
    chunk: { contentId, chunkIndex: 0, totalChunks: 1, encryptedData: data, iv: randomBytes(12) },
  });
  assert.equal(ack.success, true);
}

test('Chunks reach WebSocket members (our, stock and in-place-masking clients) as one frame from two buffers, bytes intact', async (t) => {
  const server = await startServer(t);
  const counts = watchChunkWrites(server);
  const sender = await member(t, server, 'Sender', { transports: [MaskInPlaceWebSocket] });
  const receivers = [
    await member(t, server, 'Ours'),
    await member(t, server, 'Stock', { parser: stockParser }),
    await member(t, server, 'Masking', { transports: [MaskInPlaceWebSocket] }),
  ];

  for (const size of [100_000, 256 * 1024, 1024 * 1024 + 3]) {
    const data = randomBytes(size);
    const expected = sha256(data);
    const arrivals = receivers.map((socket) => nextEvent(socket, 'chunk'));
    await sendChunk(sender, `c${size}`, data);
    // The sender's own buffer is untouched by in-place masking.
    assert.equal(sha256(data), expected);
    for (const chunk of await Promise.all(arrivals)) {
      assert.equal(sha256(new Uint8Array(chunk.chunk.encryptedData)), expected);
      assert.equal(chunk.chunk.contentId, `c${size}`);
    }
  }
  assert.deepEqual(counts, { framed: 9, whole: 0 }, 'each of the 3 chunks written framed to each of the 3 receivers');
});

test('With a long-polling or a base64 member in the session, chunks are encoded whole and everyone gets the same bytes', async (t) => {
  const server = await startServer(t);
  const counts = watchChunkWrites(server);
  const sender = await member(t, server, 'Sender');
  const webSocket = await member(t, server, 'WebSocket');
  const polling = await member(t, server, 'Polling', { transports: ['polling'] });
  const base64 = await member(t, server, 'Base64', { transports: ['websocket'], forceBase64: true });
  const receivers = [webSocket, polling, base64];

  const data = randomBytes(300_000);
  const arrivals = receivers.map((socket) => nextEvent(socket, 'chunk'));
  await sendChunk(sender, 'mixed', data);
  for (const chunk of await Promise.all(arrivals)) assert.equal(sha256(new Uint8Array(chunk.chunk.encryptedData)), sha256(data));
  assert.deepEqual(counts, { framed: 0, whole: 3 }, 'the whole encoding, written to each of the three');

  // Once the polling and base64 members leave, frames are used again.
  polling.disconnect();
  base64.disconnect();
  await Promise.all([nextEvent(sender, 'client-left'), nextEvent(sender, 'client-left')]);
  const again = randomBytes(200_000);
  const arrival = nextEvent(webSocket, 'chunk');
  await sendChunk(sender, 'again', again);
  assert.equal(sha256(new Uint8Array((await arrival).chunk.encryptedData)), sha256(again));
  assert.equal(counts.framed, 1);
});
