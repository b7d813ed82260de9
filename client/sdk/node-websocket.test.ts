import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReceivedItem } from './index.ts';
import { MaskInPlaceWebSocket, nodeTransports } from './node-websocket.ts';
import { connect, join, startServer } from '../../server/testing/harness.ts';
import { MiB, hashStream, newClient, next, randomData, sha256 } from './test-helpers.ts';

test('ShareClients on the Node transports exchange files both ways with equal SHA-256', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server.url, 'Alice', { socketOptions: { transports: nodeTransports } });
  const bob = newClient(t, server.url, 'Bob', { socketOptions: { transports: nodeTransports } });
  await alice.join('node-ws', 'test passphrase');
  await bob.join('node-ws', 'test passphrase');

  const data = randomData(20 * MiB);
  const received = next(bob, 'content').then((item: ReceivedItem) => hashStream(item));
  await alice.shareFile(data, { name: 'n.bin', type: 'application/octet-stream' });
  const { digest, bytes } = await received;
  assert.equal(bytes, data.length);
  assert.equal(digest, sha256(data));

  // And back, from Bob to Alice.
  const back = randomData(3 * MiB + 17);
  const atAlice = next(alice, 'content').then((item: ReceivedItem) => hashStream(item));
  await bob.shareFile(back, { name: 'b.bin', type: '' });
  assert.equal((await atAlice).digest, sha256(back));
});

test('Large packets are masked in place, small ones go through ws send(), and all arrive in order', async (t) => {
  const server = await startServer(t);
  const sender = await connect(t, server, { transports: [MaskInPlaceWebSocket] });
  const receiver = await connect(t, server);
  assert.equal((await join(sender, 'masking', 'Sender')).success, true);
  assert.equal((await join(receiver, 'masking', 'Receiver')).success, true);

  // Count what goes through ws's own send() (which would mask into a copy).
  const wsSender = (sender.io.engine.transport as unknown as { ws: { _sender: { send: (...args: unknown[]) => void } } }).ws._sender;
  const send = wsSender.send;
  let viaSend = 0;
  wsSender.send = function (...args: unknown[]) {
    viaSend++;
    return send.apply(this, args);
  };

  const payloads = [randomData(300_000), randomData(MiB), randomData(70_000)];
  const content = await sender.emitWithAck('content', {
    sessionId: 'masking',
    content: { contentId: 'm', totalChunks: payloads.length, encryptedDescriptor: randomData(256), iv: randomData(12) },
  });
  assert.equal(content.success, true);
  assert.equal(viaSend, 1, 'the small content announcement went through send()');

  const arrived: string[] = [];
  const all = new Promise<void>((resolve) => {
    receiver.on('chunk', ({ chunk }) => {
      arrived[chunk.chunkIndex] = sha256(new Uint8Array(chunk.encryptedData));
      if (arrived.filter(Boolean).length === payloads.length) resolve();
    });
  });
  const order: number[] = [];
  receiver.on('chunk', ({ chunk }) => order.push(chunk.chunkIndex));
  const acks = payloads.map((encryptedData, chunkIndex) =>
    sender.emitWithAck('chunk', { sessionId: 'masking', chunk: { contentId: 'm', chunkIndex, totalChunks: payloads.length, encryptedData, iv: randomData(12) } }),
  );
  for (const ack of await Promise.all(acks)) assert.equal(ack.success, true);
  await all;
  assert.deepEqual(arrived, payloads.map(sha256));
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(viaSend, 1, 'no chunk went through send()');
});
