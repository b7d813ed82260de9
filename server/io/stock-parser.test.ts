import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as stockParser from 'socket.io-msgpack-parser';
import { connect, join, nextEvent, startServer, type ClientSocket } from '../testing/harness.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const transport of ['websocket', 'polling'] as const) {
  test(`a client with the stock socket.io-msgpack-parser completes join, content and chunk over ${transport}`, async (t) => {
    const server = await startServer(t);
    const stock: ClientSocket = await connect(t, server, { transports: [transport], parser: stockParser });
    const ours = await connect(t, server);

    const stockJoin = await join(stock, 'interop', 'Stock');
    assert.equal(stockJoin.success, true);
    const joined = nextEvent(stock, 'client-joined');
    const oursJoin = await join(ours, 'interop', 'Ours');
    assert.deepEqual(oursJoin.success && oursJoin.clients.map((c) => c.name), ['Stock', 'Ours']);
    assert.equal((await joined).clientName, 'Ours');

    // stock -> ours
    const descriptor = randomBytes(256);
    const contentAtOurs = nextEvent(ours, 'content');
    const contentAck = await stock.emitWithAck('content', {
      sessionId: 'interop',
      content: { contentId: 'c1', totalChunks: 1, encryptedDescriptor: descriptor, iv: randomBytes(12) },
    });
    assert.deepEqual(contentAck, { success: true, contentId: 'c1' });
    assert.equal(sha256((await contentAtOurs).content.encryptedDescriptor), sha256(descriptor));

    const data = randomBytes(300_000);
    const chunkAtOurs = nextEvent(ours, 'chunk');
    const chunkAck = await stock.emitWithAck('chunk', {
      sessionId: 'interop',
      chunk: { contentId: 'c1', chunkIndex: 0, totalChunks: 1, encryptedData: data, iv: randomBytes(12) },
    });
    assert.deepEqual(chunkAck, { success: true, contentId: 'c1', chunkIndex: 0 });
    assert.equal(sha256((await chunkAtOurs).chunk.encryptedData), sha256(data));

    // ours -> stock
    const back = randomBytes(200_000);
    const chunkAtStock = nextEvent(stock, 'chunk');
    await ours.emitWithAck('content', {
      sessionId: 'interop',
      content: { contentId: 'c2', totalChunks: 1, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
    });
    await ours.emitWithAck('chunk', {
      sessionId: 'interop',
      chunk: { contentId: 'c2', chunkIndex: 0, totalChunks: 1, encryptedData: back, iv: randomBytes(12) },
    });
    assert.equal(sha256(new Uint8Array((await chunkAtStock).chunk.encryptedData)), sha256(back));
  });
}
