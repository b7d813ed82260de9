/**
 * createApp wires the HTTP routes and the Socket.IO server together. It never
 * listens: main.ts and the tests decide where.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { createRequestHandler } from './http/router.ts';
import { createStaticFiles } from './http/static-files.ts';
import { createIo } from './io/create-io.ts';
import { onConnection } from './io/connection.ts';
import type { HandlerContext } from './io/context.ts';
import type { IoServer } from './io/types.ts';
import { SessionRegistry } from './sessions/session-registry.ts';
import { TransferTracker } from './content/transfer-tracker.ts';
import { JoinGuard } from './sessions/join-guard.ts';

export interface App {
  httpServer: HttpServer;
  io: IoServer;
  /** Stops accepting, tells clients to reconnect elsewhere, and closes within the configured bound. */
  close(): Promise<void>;
}

export function createApp(config: Config, deps: { log: Logger }): App {
  const { log } = deps;
  const sessions = new SessionRegistry();
  const transfers = new TransferTracker(config.maxItemBytes);
  const joinGuard = new JoinGuard(config, sessions);
  const startedAt = Date.now();

  const httpServer = createServer();
  const io = createIo(httpServer, config);
  const ctx: HandlerContext = { io, config, log, sessions, transfers, joinGuard };

  const handleRequest = createRequestHandler({
    staticFiles: createStaticFiles(config.clientDir),
    log,
    health: {
      health: () => ({
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        connections: io.engine.clientsCount,
        sessions: sessions.sessionCount,
        uploads: transfers.size,
      }),
    },
  });
  // Socket.IO attaches its own 'request' listener for its path; everything else is ours.
  httpServer.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    handleRequest(req, res);
  });
  io.on('connection', (socket) => onConnection(socket, ctx));

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      io.emit('server-shutdown', { reconnect: true });
      const timer = setTimeout(() => httpServer.closeAllConnections(), config.shutdownTimeoutMs);
      timer.unref();
      // io.close closes every engine connection (clients see a transport close and
      // reconnect on their own) and then the HTTP server.
      void io.close(() => {
        clearTimeout(timer);
        joinGuard.close();
        resolve();
      });
      httpServer.closeIdleConnections();
    });
    return closing;
  }

  return { httpServer, io, close };
}
