/**
 * Baseline relay servers for bench/relay.ts, one process each, all on node:http:
 * - ws-raw: a `ws` server (the copy engine.io itself uses) that forwards every
 *   binary message to the other clients and answers the sender with a 1-byte
 *   ack, like the Socket.IO servers ack each chunk;
 * - ws-file: the same, and each message also appended to a file (one per
 *   connection, relay/append-file.ts: batched writev, no fsync, like the disk
 *   store); relayed at once, acknowledged once written (as ShareThings does):
 *   the essential work of a relay that stores everything;
 * - sio-*: a bare Socket.IO server (websocket only, no validation) that relays
 *   `chunk` to the room and acks, with the default parser, the stock
 *   socket.io-msgpack-parser, or protocol/parser.ts (with ShareThings'
 *   zero-copy adapter, or with the stock one for sio-ours-copy).
 */
import { createServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import * as stockParser from 'socket.io-msgpack-parser';
import * as ourParser from '../../protocol/parser.ts';
import { BinaryFrameAdapter } from '../../server/io/binary-frame-adapter.ts';
import { childOptions, sendReady } from '../lib/child.ts';
import type { RelayServerOptions } from './common.ts';
import { wsCopyOf } from './ws-copy.ts';
import { AppendFile, appendDir } from './append-file.ts';

const options = childOptions<RelayServerOptions>();
const httpServer = createServer();

if (options.variant === 'ws-raw' || options.variant === 'ws-file') {
  const WebSocket = wsCopyOf('engine.io');
  const wss = new WebSocket.WebSocketServer({ server: httpServer, maxPayload: options.maxPayload, perMessageDeflate: false });
  const ack = Buffer.from([1]);
  const dir = options.variant === 'ws-file' ? appendDir() : undefined;
  let connections = 0;
  wss.on('connection', (socket) => {
    const file = dir === undefined ? undefined : new AppendFile(`${dir}/${++connections}.bin`);
    if (file) socket.on('close', () => void file.close().catch(() => undefined));
    socket.on('message', (data, isBinary) => {
      for (const other of wss.clients) {
        if (other !== socket && other.readyState === 1 /* OPEN */) other.send(data as Buffer, { binary: isBinary });
      }
      if (!file) socket.send(ack);
      else file.append(data as Buffer, (error) => (error ? socket.close(1011) : socket.send(ack)));
    });
  });
} else {
  const ours = options.variant === 'sio-ours' || options.variant === 'sio-ours-copy';
  const parser = ours ? ourParser : options.variant === 'sio-msgpack' ? stockParser : undefined;
  const serverOptions: Partial<ServerOptions> = {
    transports: ['websocket'],
    maxHttpBufferSize: options.maxPayload,
    serveClient: false,
  };
  if (parser) serverOptions.parser = parser;
  if (options.variant === 'sio-ours') serverOptions.adapter = BinaryFrameAdapter;
  const io = new Server(httpServer, serverOptions);
  type Chunk = { contentId: string; chunkIndex: number };
  type Ack = (response: object) => void;
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: Ack) => {
      void socket.join(room);
      ack({ success: true });
    });
    socket.on('chunk', (payload: { sessionId: string; chunk: Chunk }, ack?: Ack) => {
      socket.to(payload.sessionId).emit('chunk', { sessionId: payload.sessionId, chunk: payload.chunk, senderId: socket.id });
      ack?.({ success: true, contentId: payload.chunk.contentId, chunkIndex: payload.chunk.chunkIndex });
    });
  });
}

// Exit through process.exit so that --cpu-prof writes its profile.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  void sendReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
