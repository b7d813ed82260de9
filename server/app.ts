/**
 * createApp wires the store, the HTTP routes and the Socket.IO server
 * together. It never listens: main.ts and the tests decide where.
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
import { JoinGuard } from './sessions/join-guard.ts';
import { Uploads } from './content/uploads.ts';
import { Sweeper } from './retention/sweeper.ts';
import type { ContentStore } from './store/content-store.ts';
import { DiskStore } from './store/disk/disk-store.ts';
import { Metrics } from './metrics/metrics.ts';
import { adminUiDir, instrumentAdmin } from './admin/admin-ui.ts';
import { Limits } from './limits/limits.ts';
import { useConnectionMiddleware } from './io/middleware.ts';

export interface App {
  httpServer: HttpServer;
  io: IoServer;
  store: ContentStore;
  sweeper: Sweeper;
  /** Stops accepting, tells clients to reconnect, and closes within the configured bound. */
  close(): Promise<void>;
}

export async function createApp(config: Config, deps: { log: Logger; store?: ContentStore }): Promise<App> {
  const { log } = deps;
  const store = deps.store ?? new DiskStore(config.dataDir, { fsync: config.storeFsync, log });
  await store.open();

  const sessions = new SessionRegistry();
  const uploads = new Uploads(config.maxItemBytes);
  const startedAt = Date.now();
  // Unfinished uploads found on disk wait for their sender to resume, or are abandoned.
  for (const { sessionId, item } of await store.incompleteItems()) {
    uploads.begin(sessionId, item.contentId, undefined, item.bytes, startedAt);
  }
  const joinGuard = new JoinGuard(config, store);

  const httpServer = createServer();
  const io = createIo(httpServer, config);
  const metrics = new Metrics({
    connections: () => io.engine.clientsCount,
    activeSessions: () => sessions.sessionCount,
    storedSessions: () => store.sessionCount(),
    uploads: () => uploads.size,
  });
  const limits = new Limits(config.limits);
  useConnectionMiddleware(io, config, limits);
  const ctx: HandlerContext = { io, config, log, metrics, limits, sessions, store, uploads, joinGuard };
  const sweeper = new Sweeper(ctx);

  if (config.admin) instrumentAdmin(io, config.admin);
  const handleRequest = createRequestHandler({
    staticFiles: createStaticFiles(config.clientDir, { corsOrigin: config.corsOrigin }),
    adminFiles: config.admin ? createStaticFiles(adminUiDir()) : undefined,
    metrics,
    metricsToken: config.metricsToken,
    log,
    health: {
      health: () => ({
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        connections: io.engine.clientsCount,
        sessions: sessions.sessionCount,
        storedSessions: store.sessionCount(),
        uploads: uploads.size,
      }),
    },
  });
  // Socket.IO attaches its own 'request' listener for its path; everything else is ours.
  httpServer.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    handleRequest(req, res);
  });
  io.on('connection', (socket) => onConnection(socket, ctx));
  sweeper.start();
  void sweeper.sweep();

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
        limits.close();
        void sweeper
          .stop()
          .then(() => store.close())
          .catch(() => undefined)
          .then(resolve);
      });
      httpServer.closeIdleConnections();
    });
    return closing;
  }

  return { httpServer, io, store, sweeper, close };
}
