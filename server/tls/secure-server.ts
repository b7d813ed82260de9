/**
 * HTTPS beside plain HTTP: a TLS listener whose decrypted connections are
 * handed to the app's one HTTP server, so both ports share the routes, the
 * Socket.IO server and the shutdown (closing the HTTP server's connections
 * closes these too).
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as TlsServer } from 'node:tls';
import type { TlsMaterial } from './local-certificate.ts';

/** A handshake not done by then is dropped: a silent client must not hold a socket. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export function createSecureServer(httpServer: HttpServer, material: TlsMaterial): TlsServer {
  const server = createServer({
    cert: material.cert,
    key: material.key,
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  server.on('secureConnection', (socket) => httpServer.emit('connection', socket));
  // A browser that does not (yet) accept a self-signed certificate ends the handshake: expected, not an error.
  server.on('tlsClientError', () => undefined);
  return server;
}
