/** The Socket.IO server with the seed's options, each taken from the config. */
import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { WebSocketServer, type ServerOptions as WsServerOptions } from 'ws';

/**
 * One message per turn of the event loop: a client that sends thousands of
 * small requests in one write would otherwise have them all handled before
 * any other connection (or /healthz) is served.
 */
class TakingTurnsWebSocketServer extends WebSocketServer {
  constructor(options: WsServerOptions) {
    super({ ...options, allowSynchronousEvents: false });
  }
}
import * as parser from './server-parser.ts';
import * as adminAwareParser from '../admin/admin-aware-parser.ts';
import type { Config } from '../config.ts';
import type { IoServer } from './types.ts';

export function createIo(
  httpServer: HttpServer,
  config: Config,
  adapter: ServerOptions['adapter'],
  allowRequest?: ServerOptions['allowRequest'],
): IoServer {
  const explicitOrigins = config.corsOrigin !== '*';
  const io: IoServer = new Server(httpServer, {
    path: '/socket.io/',
    wsEngine: TakingTurnsWebSocketServer,
    // The admin UI speaks the default parser; only then is the mixed parser needed.
    parser: config.admin ? adminAwareParser : parser,
    // Relays file chunks without copying them, holds them back from slow receivers, and in a cluster reaches the other nodes.
    adapter,
    cors: {
      origin: config.corsOrigin,
      methods: ['GET', 'POST'],
      // Browsers refuse credentials with a wildcard origin, so only allow them for listed origins.
      credentials: explicitOrigins,
    },
    transports: config.transports,
    allowEIO3: config.allowEIO3,
    allowUpgrades: config.allowUpgrades,
    pingTimeout: config.pingTimeoutMs,
    pingInterval: config.pingIntervalMs,
    connectTimeout: config.connectTimeoutMs,
    maxHttpBufferSize: config.maxHttpBufferSize,
    serveClient: false,
    // Runs before Engine.IO allocates anything for a handshake (io/handshake-guard.ts).
    ...(allowRequest ? { allowRequest } : {}),
  });
  // Engine.IO ids start with the node's id, so HAProxy sends every request of a long-polling
  // connection to the node that holds it without a cookie (haproxy.cfg: url_param(sid)).
  io.engine.generateId = () => `${config.nodeId}.${randomBytes(15).toString('base64url')}`;
  parser.cutConnectionsOnRefusal(io.engine);
  return io;
}
