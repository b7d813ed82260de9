/**
 * The fanout baseline: a raw `ws` server (engine.io's copy, like relay.ts's
 * ws-raw) that forwards each binary message of the sender (`/?role=sender`)
 * to every other client and answers the sender with a 1-byte ack once every
 * copy has been written to its socket. Acking on write (not on receipt, as
 * relay/server.ts does) gives the sender's window the same meaning as on
 * ShareThings: it cannot run ahead of the slowest receiver's socket, so the
 * server's memory stays bounded with 50 receivers.
 */
import { createServer } from 'node:http';
import { sendReady } from '../lib/child.ts';
import { wsCopyOf } from '../relay/ws-copy.ts';

const { WebSocketServer } = wsCopyOf('engine.io');
const httpServer = createServer();
const wss = new WebSocketServer({ server: httpServer, maxPayload: 4 * 1024 * 1024, perMessageDeflate: false });
const ack = Buffer.from([1]);
const receivers = new Set<import('ws').WebSocket>();

wss.on('connection', (socket, request) => {
  const sender = new URL(request.url ?? '/', 'http://localhost').searchParams.get('role') === 'sender';
  if (!sender) {
    receivers.add(socket);
    socket.on('close', () => receivers.delete(socket));
    return;
  }
  socket.on('message', (data: Buffer, isBinary) => {
    const targets = [...receivers].filter((other) => other.readyState === 1 /* OPEN */);
    let pending = targets.length;
    const written = () => {
      pending -= 1;
      if (pending === 0 && socket.readyState === 1) socket.send(ack);
    };
    if (pending === 0) socket.send(ack);
    for (const target of targets) target.send(data, { binary: isBinary }, written);
  });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  void sendReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
