import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import * as stockParser from 'socket.io-msgpack-parser';
import * as ws from 'ws';
import { MaskInPlaceWebSocket } from '../../client/sdk/node-websocket.ts';
import * as parser from '../../protocol/parser.ts';
import { signJoinProof } from '../../protocol/crypto/index.ts';
import { connect, join, nextEvent, startServer, testKeys, type ClientSocket, type TestServer } from '../testing/harness.ts';
import { RawClient } from '../testing/raw-client.ts';
import { BinaryFrameAdapter, frameStart } from './binary-frame-adapter.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Counts, on the server, the chunk packets written with a computed frame and those encoded whole. */
function watchChunkWrites(server: TestServer): { framed: number; whole: number } {
  const counts = { framed: 0, whole: 0 };
  server.app.io.engine.on('connection', (raw: { on(event: 'packetCreate', listener: (packet: { data?: unknown; options?: { wsPreEncodedFrame?: unknown } }) => void): void }) => {
    raw.on('packetCreate', (packet) => {
      const data = packet.data;
      if (!(data instanceof Uint8Array) || data.byteLength < parser.LARGE_BINARY) return; // only the large chunk packets
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

  // Frame lengths in the 16-bit (just above LARGE_BINARY, and up to 65,535 with the head) and 64-bit forms.
  const sizes = [parser.LARGE_BINARY, 65_400, 100_000, 256 * 1024, 1024 * 1024 + 3];
  for (const size of sizes) {
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
  assert.deepEqual(counts, { framed: 3 * sizes.length, whole: 0 }, 'each chunk written framed to each of the 3 receivers');
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

test('A Socket.IO 2 (Engine.IO 3) member gets chunks encoded whole, with its type byte', async (t) => {
  const server = await startServer(t);
  const counts = watchChunkWrites(server);
  const sender = await member(t, server, 'Sender');
  const old = await RawClient.open(server.port, { eio: 3 });
  t.after(() => old.close());
  const keys = await testKeys('frames', 'test passphrase');
  const challenge = (await old.emitWithAck('join-challenge', { sessionId: 'frames' })) as { success: boolean; challenge: Uint8Array };
  assert.equal(challenge.success, true);
  const proof = await signJoinProof(keys, 'frames', new Uint8Array(challenge.challenge));
  const joined = (await old.emitWithAck('join', { sessionId: 'frames', clientName: 'Old', verifier: keys.authPublicKey, proof })) as { success: boolean };
  assert.equal(joined.success, true);

  // RawClient refuses a binary message without Engine.IO 3's type byte, so a framed write would fail here.
  const arrival = new Promise<{ chunk: { encryptedData: Uint8Array } }>((resolve) => old.on('chunk', (payload) => resolve(payload as { chunk: { encryptedData: Uint8Array } })));
  const data = randomBytes(200_000);
  await sendChunk(sender, 'eio3', data);
  assert.equal(sha256((await arrival).chunk.encryptedData), sha256(data));
  assert.deepEqual(counts, { framed: 0, whole: 1 });
});

test('broadcastWithAck frames too, and every receiver\'s acknowledgement comes back', async (t) => {
  const httpServer = createServer();
  const io = new Server(httpServer, { parser, adapter: BinaryFrameAdapter, transports: ['websocket'] });
  httpServer.listen(0, '127.0.0.1');
  await new Promise((resolve) => httpServer.once('listening', resolve));
  t.after(() => io.close());
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  let framed = 0;
  io.engine.on('connection', (raw: { on(event: 'packetCreate', listener: (packet: { options?: { wsPreEncodedFrame?: unknown } }) => void): void }) => {
    raw.on('packetCreate', (packet) => void (packet.options?.wsPreEncodedFrame && framed++));
  });
  const clients = await Promise.all([1, 2].map(async () => {
    const client = ioClient(url, { parser, transports: ['websocket'], forceNew: true });
    t.after(() => client.close());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.on('chunk', (payload: { data: Uint8Array }, ack: (digest: string) => void) => ack(sha256(payload.data)));
    return client;
  }));
  assert.equal(clients.length, 2);
  const data = randomBytes(300_000);
  const digests = await io.timeout(5000).emitWithAck('chunk', { data });
  assert.deepEqual(digests, [sha256(data), sha256(data)]);
  assert.equal(framed, 2);
});

/** ws's frame writer; its typings leave it out. */
const wsSender = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

test('frameStart writes the frame header ws writes, for every length form', async () => {
  const head = Uint8Array.of(0xaa, 0xbb, 0xcc);
  for (const length of [3, 125, 126, 127, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5]) {
    // Sender.frame reads only the data's length when it does not mask.
    const [wsHeader] = wsSender.frame({ length } as unknown as Buffer, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
    const ours = frameStart(head, length);
    assert.deepEqual(ours.subarray(0, ours.length - head.length), Buffer.from(wsHeader!), `length ${length}`);
    assert.deepEqual(ours.subarray(ours.length - head.length), Buffer.from(head));
  }
});
