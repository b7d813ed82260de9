/**
 * The reconnect baseline's server: bare Socket.IO with our parser (like
 * relay/server.ts's sio-ours), where `join` puts the socket in a room and
 * acks; no store, so a restart loses nothing because it keeps nothing. It
 * listens on the port it is given (0 the first time), so it can be restarted
 * in place; SIGTERM closes like ShareThings does (io.close: clients see a
 * transport close and reconnect by themselves). Behind HAProxy (the failover
 * baseline) it answers the health check (/readyz) and reports its connections
 * (/healthz), like a ShareThings node.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import * as parser from '../../protocol/parser.ts';
import { childOptions, sendReady } from '../lib/child.ts';

const options = childOptions<{ port: number }>();
const httpServer = createServer((req, res) => {
  if (req.url?.startsWith('/socket.io/')) return;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(req.url === '/healthz' ? { connections: io.engine.clientsCount } : { ready: true }));
});
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false, parser });
io.on('connection', (socket) => {
  socket.on('join', (room: string, ack: (response: object) => void) => {
    void socket.join(room);
    ack({ success: true });
  });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}

httpServer.listen(options.port, '127.0.0.1', () => {
  const address = httpServer.address();
  void sendReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
