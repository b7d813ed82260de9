/**
 * createApp wires the backends, the HTTP routes and the Socket.IO server
 * together. It never listens: main.ts and the tests decide where.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { openBackends } from './backends.ts';
import { BackgroundTasks } from './background-tasks.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { createRequestHandler } from './http/router.ts';
import { Readiness } from './http/readiness.ts';
import { createStaticFiles } from './http/static-files.ts';
import { createIo } from './io/create-io.ts';
import { onConnection } from './io/connection.ts';
import type { HandlerContext } from './io/context.ts';
import type { IoServer } from './io/types.ts';
import { sessionRoom } from './io/types.ts';
import { JoinGuard } from './sessions/join-guard.ts';
import { Uploads } from './content/uploads.ts';
import { SlowReceivers } from './content/slow-receivers.ts';
import { deliveryPolicy } from './content/delivery-policy.ts';
import { Sweeper } from './retention/sweeper.ts';
import type { ContentStore } from './store/content-store.ts';
import { Metrics } from './metrics/metrics.ts';
import { ADMIN_CONTENT_SECURITY_POLICY, adminUiDir, instrumentAdmin } from './admin/admin-ui.ts';
import { Limits } from './limits/limits.ts';
import { useConnectionMiddleware } from './io/middleware.ts';
import { HandshakeGuard } from './io/handshake-guard.ts';
import { guardConnections, timeoutCheckInterval } from './http/connection-guard.ts';
import type { Server as TlsServer } from 'node:tls';
import { loadTlsMaterial } from './tls/tls-material.ts';
import type { TlsMaterial } from './tls/local-certificate.ts';
import { createSecureServer } from './tls/secure-server.ts';
import { redirectToHttps } from './tls/https-redirect.ts';
import { deviceLinks } from './tls/device-links.ts';
import { renewPeriodically } from './tls/renewal.ts';
import { sessionTagger } from './log-tag.ts';

/** How long /healthz waits for the shared store's figures. */
const HEALTH_WAIT_MS = 500;

/**
 * `promise`, or a rejection once the store has not answered for 0.5–1 ×
 * `ms`. The health checks of the same moment share one timer (not a timer,
 * a race and a finally per request: /healthz answered a third faster).
 */
let healthDeadline: { late: Promise<never>; shareUntil: number } | undefined;
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  const now = Date.now();
  if (!healthDeadline || now >= healthDeadline.shareUntil) {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref());
    late.catch(() => undefined);
    healthDeadline = { late, shareUntil: now + ms / 2 };
  }
  return Promise.race([promise, healthDeadline.late]);
}

export interface App {
  httpServer: HttpServer;
  io: IoServer;
  store: ContentStore;
  sweeper: Sweeper;
  readiness: Readiness;
  /** HTTPS beside httpServer (not listening yet), when this node serves TLS itself. */
  secure: { server: TlsServer; material: TlsMaterial & { made: boolean } } | undefined;
  /** Drains, tells clients to reconnect (elsewhere, in a cluster), and closes within the configured bound. */
  close(): Promise<void>;
}

export async function createApp(config: Config, deps: { log: Logger; store?: ContentStore }): Promise<App> {
  const { log } = deps;
  const lock = await lockDataDir(config.dataDir);
  let material = config.tls ? await loadTlsMaterial(config.tls, config.dataDir).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  }) : undefined;
  const backends = await openBackends(config, deps).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  const { store, presence } = backends;
  const startedAt = Date.now();

  const httpServer = createServer({ connectionsCheckingInterval: timeoutCheckInterval(config.limits) });
  guardConnections(httpServer, config);
  const secureServer = material ? createSecureServer(httpServer, material) : undefined;
  const stopRenewal = secureServer && material && config.tls ? renewPeriodically(secureServer, material, {
    load: () => loadTlsMaterial(config.tls!, config.dataDir),
    renewed: (renewed) => {
      material = { ...renewed, made: true };
      log.info('serving a renewed certificate', { validTo: renewed.validTo.toISOString(), fingerprint: renewed.fingerprint });
    },
    failed: (error) => log.error('checking the certificate failed; the current one is still served', { error: String(error) }),
  }) : undefined;
  /** The HTTPS port once listening (main.ts or a test decides where). */
  const httpsPort = (): number | undefined => {
    const address = secureServer?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  };
  // Set just below: the metrics and the slow-receiver check read it later, per request.
  let io: IoServer | undefined;
  const metrics = new Metrics(
    {
      connections: () => io?.engine.clientsCount ?? 0,
      activeSessions: () => presence.localSessionCount(),
      storedSessions: () => store.sessionCount(),
      uploads: () => uploads.size,
    },
    config.nodeId,
  );
  const slowReceivers = new SlowReceivers(
    config.limits.socketBufferBytes,
    (id) => io?.of('/').sockets.get(id),
    (count) => metrics.deferredChunks(count),
  );
  const limits = new Limits(config.limits, backends.counters);
  const handshakes = new HandshakeGuard(config, limits);
  io = createIo(httpServer, config, backends.adapter(deliveryPolicy(slowReceivers, presence)), handshakes.allowRequest);
  handshakes.watch(io.engine);
  const server = io;
  const uploads = new Uploads({ maxItemBytes: config.maxItemBytes, perAddress: config.uploadsPerAddress, abandonMs: config.uploadAbandonMs });
  const joinGuard = new JoinGuard(config, store, backends.counters);
  const background = new BackgroundTasks(log);
  useConnectionMiddleware(io, config, limits);
  const sessionTag = sessionTagger(backends.logTagSecret);
  const ctx: HandlerContext = { io, config, log, sessionTag, metrics, limits, presence, store, uploads, slowReceivers, joinGuard, background };
  const sweeper = new Sweeper(ctx, backends.lease);
  const readiness = new Readiness();

  // Members of a node found dead leave their sessions; a node found dead itself sends its clients elsewhere.
  presence.onMembersExpired((sessionId, clientIds) => {
    for (const clientId of clientIds) io.to(sessionRoom(sessionId)).emit('client-left', { sessionId, clientId });
  });
  // Broadcasts from other nodes were lost while Redis was away: this node's clients join again to catch up.
  backends.onRelayRestored(() => {
    log.info('relay between nodes restored; clients re-sync');
    server.local.emit('resync', { reason: 'relay-restored' });
  });
  presence.onEvicted(() => {
    log.warn('this node was found dead by the cluster (no heartbeat); its clients reconnect');
    // Closing the transport (not a Socket.IO disconnect) is what makes clients reconnect by themselves.
    for (const socket of io.of('/').sockets.values()) socket.conn.close();
  });

  const own = () => ({
    node: config.nodeId,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    connections: server.engine.clientsCount,
    sessions: presence.localSessionCount(),
    uploads: uploads.size,
    ...backends.status(),
  });

  if (config.admin) instrumentAdmin(io, config.admin, config.nodeId);
  const handleRequest = createRequestHandler({
    staticFiles: createStaticFiles(config.clientDir, { corsOrigin: config.corsOrigin }),
    adminFiles: config.admin ? createStaticFiles(adminUiDir(), { contentSecurityPolicy: ADMIN_CONTENT_SECURITY_POLICY }) : undefined,
    metrics,
    metricsToken: config.metricsToken,
    corsOrigin: config.corsOrigin,
    deviceLinks: () => deviceLinks(material, httpsPort() ?? config.tls?.port ?? 0, { extraNames: config.tls?.extraNames ?? [] }),
    log,
    readiness,
    health: {
      health: () => {
        const figures: Record<string, number | string | boolean> = own();
        const stored = store.sessionCount();
        // Held in memory: answered at once (a promise chain per request cost /healthz a fifth of its CPU).
        if (typeof stored === 'number') return Object.assign(figures, { storedSessions: stored });
        // A stalled shared store must not stall the health check: its figure is left out after a moment.
        return withTimeout(stored, HEALTH_WAIT_MS).then(
          (storedSessions) => Object.assign(figures, { storedSessions }),
          () => figures,
        );
      },
      readiness: own,
    },
  });
  // Socket.IO attaches its own 'request' listener for its path; everything else is ours.
  httpServer.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    const port = httpsPort();
    if (port !== undefined && redirectToHttps(req, res, port)) return;
    handleRequest(req, res);
  });
  io.on('connection', (socket) => onConnection(socket, ctx));
  sweeper.start();
  void sweeper.sweep();

  let closing: Promise<void> | undefined;
  async function shutDown(): Promise<void> {
    // Behind a proxy, keep serving while its health checks see /readyz answer 503: at the first,
    // this node's own clients hear a restart is coming; at the second (HAProxy's fall), it is down.
    const deadline = Date.now() + config.drainTimeoutMs;
    await readiness.refusedTimes(1, deadline);
    server.local.emit('server-shutdown', { reconnect: true });
    await readiness.refusedTimes(2, deadline);
    stopRenewal?.();
    secureServer?.close(); // no new HTTPS connections; open ones are the HTTP server's, closed below
    const timer = setTimeout(() => httpServer.closeAllConnections(), config.shutdownTimeoutMs);
    timer.unref();
    // io.close closes every engine connection (clients see a transport close and
    // reconnect on their own, in a cluster to another node) and then the HTTP server.
    await new Promise<void>((resolve) => {
      void server.close(() => resolve());
      httpServer.closeIdleConnections();
    });
    clearTimeout(timer);
    // Leaves and upload releases started by the disconnections reach the store first.
    await background.settled();
    joinGuard.close();
    limits.close();
    slowReceivers.close();
    await sweeper.stop().catch(() => undefined);
    await backends.close().catch((error: unknown) => log.error('closing the backends failed', { error: String(error) }));
    await lock.release();
  }

  const secure = secureServer && material ? { server: secureServer, material } : undefined;
  return { httpServer, io, store, sweeper, readiness, secure, close: () => (closing ??= shutDown()) };
}
