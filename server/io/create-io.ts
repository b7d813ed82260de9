/** The Socket.IO server with the seed's options, each taken from the config. */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import * as parser from '../../protocol/parser.ts';
import * as adminAwareParser from '../admin/admin-aware-parser.ts';
import type { Config } from '../config.ts';
import { BinaryFrameAdapter } from './binary-frame-adapter.ts';
import type { IoServer } from './types.ts';

export function createIo(httpServer: HttpServer, config: Config): IoServer {
  const explicitOrigins = config.corsOrigin !== '*';
  return new Server(httpServer, {
    path: '/socket.io/',
    // The admin UI speaks the default parser; only then is the mixed parser needed.
    parser: config.admin ? adminAwareParser : parser,
    // Relays file chunks to WebSocket clients without copying them.
    adapter: BinaryFrameAdapter,
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
  });
}
