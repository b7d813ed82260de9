/**
 * The bare page pair's server for bench/browser.ts: one node:http server
 * serving a blank page with bare-page.ts's script and its service worker,
 * and at /relay a raw `ws`
 * relay (the copy engine.io uses, as relay/server.ts's ws-raw) that forwards
 * every binary message to the other connections and answers the sender with
 * a 1-byte ack. Prints a ready line with its port.
 */
import { createServer } from 'node:http';
import { childOptions, sendReady } from '../lib/child.ts';
import { wsCopyOf } from '../relay/ws-copy.ts';
import { BARE_PAGE_SCRIPT, BARE_SERVICE_WORKER } from './bare-page.ts';

const { maxPayload } = childOptions<{ maxPayload: number }>();

const PAGE = `<!doctype html><meta charset="utf-8"><title>bare</title><script>${BARE_PAGE_SCRIPT}</script>`;

const httpServer = createServer((req, res) => {
  if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  else if (req.url === '/sw.js') res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(BARE_SERVICE_WORKER);
  else res.writeHead(404).end();
});
const WebSocket = wsCopyOf('engine.io');
const wss = new WebSocket.WebSocketServer({ server: httpServer, path: '/relay', maxPayload, perMessageDeflate: false });
const ack = Buffer.from([1]);
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const other of wss.clients) {
      if (other !== socket && other.readyState === 1 /* OPEN */) other.send(data as Buffer, { binary: isBinary });
    }
    socket.send(ack);
  });
});
httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  void sendReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
