/**
 * Server configuration from the environment, validated at start-up so a
 * misconfiguration fails at once with a precise message.
 */
import { MAX_CHUNK_CIPHERTEXT_BYTES } from '../protocol/limits.ts';
import { ConfigError, HOUR, boolean, duration, integer, type Env } from './config-values.ts';
import { clusterConfig, nodeId, type ClusterConfig } from './cluster/config.ts';
import { tlsConfig, type TlsConfig } from './tls/tls-config.ts';

export { ConfigError } from './config-values.ts';

export interface Config {
  port: number;
  host: string;
  /** '*' or a list of exact origins allowed to connect from a browser. */
  corsOrigin: '*' | string[];
  transports: Array<'websocket' | 'polling'>;
  allowEIO3: boolean;
  allowUpgrades: boolean;
  pingTimeoutMs: number;
  pingIntervalMs: number;
  connectTimeoutMs: number;
  maxHttpBufferSize: number;
  /** Largest item a client may upload, enforced while streaming. */
  maxItemBytes: number;
  /** How long a graceful shutdown may take before connections are cut. */
  shutdownTimeoutMs: number;
  /** Rate limits (each answered RATE_LIMITED with a retry hint) and capacity limits. */
  limits: {
    connectionsPerAddress: number;
    connectionWindowMs: number;
    eventsPerSocket: number;
    bytesPerSocket: number;
    eventWindowMs: number;
    joinsPerAddress: number;
    joinsPerSession: number;
    joinWindowMs: number;
    sessionsCreatedPerAddress: number;
    sessionCreationWindowMs: number;
    membersPerSession: number;
    maxSessions: number;
    /** A receiver with more than this many bytes waiting to be sent is no longer pushed chunks, fetch replies or items. */
    socketBufferBytes: number;
    /** fetch-chunk requests one connection may have answered at once (a batch's count one by one). */
    fetchesInFlight: number;
    /** Engine.IO handshakes per address per connection window, counted before any session object exists. */
    handshakesPerAddress: number;
    /** Engine.IO connections (WebSocket or long-polling) open at once per address. */
    openConnectionsPerAddress: number;
    /** TCP connections open at once per address (only without TRUST_PROXY: behind a proxy the peer is the proxy). */
    httpConnectionsPerAddress: number;
    /** Node's HTTP server timeouts: all of a request's headers, a whole request, an idle keep-alive connection. */
    httpHeadersTimeoutMs: number;
    httpRequestTimeoutMs: number;
    httpKeepAliveTimeoutMs: number;
  };
  /** Take the client address from X-Forwarded-For, trusting this many proxies (0: never). */
  trustProxyHops: number;
  /** Running behind a TLS-terminating proxy (silences the production HTTPS warning). */
  behindProxy: boolean;
  production: boolean;
  /** When set, every connection must present it at the handshake (`?accessToken=` or `Authorization: Bearer`) or in `auth.accessToken`. */
  accessToken: string | undefined;
  /** Failed joins allowed per address and per session in each window, before RATE_LIMITED. */
  joinFailuresPerAddress: number;
  joinFailuresPerSession: number;
  joinFailureWindowMs: number;
  /** An address over its failed joins waits this long, doubled by each further failure, up to the maximum. */
  joinBackoffMs: number;
  joinBackoffMaxMs: number;
  /** Uploads in progress (or parked by a sender that left) per address. */
  uploadsPerAddress: number;
  /** Where the embedded store keeps sessions and items (ciphertext only). */
  dataDir: string;
  /** fsync every stored file: survives power loss, not only a killed process, at a cost per write. */
  storeFsync: boolean;
  /** Append chunks with O_DIRECT where the file system allows it: no copy into the page cache. */
  storeDirectIo: boolean;
  /** A session and everything in it is deleted after this long without activity. */
  sessionTtlMs: number;
  /** How often expired sessions and abandoned uploads are swept. */
  sweepIntervalMs: number;
  /** An unfinished upload with no new chunk for this long is discarded. */
  uploadAbandonMs: number;
  /** Per-session quotas. */
  sessionQuotaBytes: number;
  sessionMaxItems: number;
  /** The Socket.IO admin UI at /admin/, enabled when both are set (password as a bcrypt hash). */
  admin: { username: string; passwordHash: string } | undefined;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Keys the session tags in logs; unset: generated (kept in DATA_DIR, or shared through Redis in a cluster). */
  logTagSecret: string | undefined;
  /** Directory with the built web client. */
  clientDir: string;
  logLevel: LogLevel;
  /** This node's name: the admin UI's server id, the prefix of its Engine.IO ids (for HAProxy), its presence in Redis. */
  nodeId: string;
  /** Set in cluster mode (REDIS_URL): Redis and the object store shared by every node. */
  cluster: ClusterConfig | undefined;
  /** HTTPS served by this node itself (a self-signed certificate, or TLS_CERT/TLS_KEY); off behind a proxy. */
  tls: TlsConfig | undefined;
  /** On SIGTERM, how long /readyz may answer 503 before clients are asked to move, so the proxy stops sending new ones first. */
  drainTimeoutMs: number;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * One chunk (1 MiB + tag) plus envelope, and room for base64 on the polling
 * transport (x4/3) with a second packet in the same request.
 */
export const DEFAULT_MAX_HTTP_BUFFER_SIZE = 4 * 1024 * 1024;

function corsOrigin(raw: string | undefined): '*' | string[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === '*') return '*';
  const origins = raw.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGIN entries must be origins like https://example.com, got "${origin}"`);
    }
    if (url.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`CORS_ORIGIN entries must be bare origins (scheme://host[:port]), got "${origin}"`);
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

function transports(raw: string | undefined): Array<'websocket' | 'polling'> {
  if (raw === undefined || raw.trim() === '') return ['websocket', 'polling'];
  const list = raw.split(',').map((item) => item.trim());
  const valid = list.filter((item): item is 'websocket' | 'polling' => item === 'websocket' || item === 'polling');
  if (valid.length !== list.length || valid.length === 0) {
    throw new ConfigError(`TRANSPORTS must be a comma-separated list of "websocket" and "polling", got "${raw}"`);
  }
  return [...new Set(valid)];
}

function admin(env: Env): Config['admin'] {
  const username = env.ADMIN_USERNAME?.trim();
  const passwordHash = env.ADMIN_PASSWORD_HASH?.trim();
  if (!username && !passwordHash) return undefined;
  if (!username || !passwordHash) {
    throw new ConfigError('ADMIN_USERNAME and ADMIN_PASSWORD_HASH must be set together (or neither, to disable the admin UI)');
  }
  if (!/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(passwordHash)) {
    throw new ConfigError('ADMIN_PASSWORD_HASH must be a bcrypt hash (see README: make admin-password)');
  }
  return { username, passwordHash };
}

function logTagSecret(raw: string | undefined): string | undefined {
  const secret = raw?.trim();
  if (!secret) return undefined;
  if (secret.length < 16) throw new ConfigError('LOG_TAG_SECRET must be at least 16 characters (e.g. `openssl rand -hex 32`)');
  return secret;
}

/** TRUST_PROXY: false/0 (default), true (one proxy), or the number of proxies in front. */
function trustProxy(raw: string | undefined): number {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false' || value === '0') return 0;
  if (value === 'true') return 1;
  if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
  throw new ConfigError(`TRUST_PROXY must be true, false or a number of proxies (0-10), got "${raw}"`);
}

function logLevel(raw: string | undefined): LogLevel {
  if (raw === undefined || raw.trim() === '') return 'info';
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level as LogLevel;
}

/** Node refuses a headers timeout longer than the request timeout: say so with the variables' names. */
function httpTimeouts(env: Env) {
  const httpHeadersTimeoutMs = duration(env, 'HTTP_HEADERS_TIMEOUT', 10_000, 100, 600_000);
  const httpRequestTimeoutMs = duration(env, 'HTTP_REQUEST_TIMEOUT', 60_000, 100, 3_600_000);
  const httpKeepAliveTimeoutMs = duration(env, 'HTTP_KEEP_ALIVE_TIMEOUT', 5_000, 100, 600_000);
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT (${httpHeadersTimeoutMs} ms) must not be longer than HTTP_REQUEST_TIMEOUT (${httpRequestTimeoutMs} ms)`);
  }
  return { httpHeadersTimeoutMs, httpRequestTimeoutMs, httpKeepAliveTimeoutMs };
}

export function loadConfig(env: Env, defaults: { clientDir: string; dataDir: string }): Config {
  const pingIntervalMs = integer(env, 'PING_INTERVAL_MS', 25_000, 1_000, 600_000);
  const pingTimeoutMs = integer(env, 'PING_TIMEOUT_MS', 60_000, 1_000, 600_000);
  const minBuffer = MAX_CHUNK_CIPHERTEXT_BYTES * 2;
  const config: Config = {
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: env.HOST?.trim() || '0.0.0.0',
    corsOrigin: corsOrigin(env.CORS_ORIGIN),
    transports: transports(env.TRANSPORTS),
    allowEIO3: boolean(env, 'ALLOW_EIO3', true),
    allowUpgrades: boolean(env, 'ALLOW_UPGRADES', true),
    pingTimeoutMs,
    pingIntervalMs,
    connectTimeoutMs: integer(env, 'CONNECT_TIMEOUT_MS', 45_000, 1_000, 600_000),
    maxHttpBufferSize: integer(env, 'MAX_HTTP_BUFFER_SIZE', DEFAULT_MAX_HTTP_BUFFER_SIZE, minBuffer, 1024 ** 3),
    maxItemBytes: integer(env, 'MAX_ITEM_BYTES', 5 * 1024 ** 3, 1, 1024 ** 4),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    limits: {
      connectionsPerAddress: integer(env, 'CONNECTIONS_PER_ADDRESS', 100, 1, 1_000_000),
      connectionWindowMs: duration(env, 'CONNECTION_WINDOW', 60_000, 100, 24 * HOUR),
      eventsPerSocket: integer(env, 'EVENTS_PER_SOCKET', 2_000, 1, 100_000_000),
      bytesPerSocket: integer(env, 'BYTES_PER_SOCKET', 10 * 1024 ** 3, 1024, 1024 ** 5),
      eventWindowMs: duration(env, 'EVENT_WINDOW', 10_000, 100, HOUR),
      joinsPerAddress: integer(env, 'JOINS_PER_ADDRESS', 60, 1, 1_000_000),
      joinsPerSession: integer(env, 'JOINS_PER_SESSION', 120, 1, 1_000_000),
      joinWindowMs: duration(env, 'JOIN_WINDOW', 60_000, 100, 24 * HOUR),
      sessionsCreatedPerAddress: integer(env, 'SESSIONS_CREATED_PER_ADDRESS', 30, 1, 1_000_000),
      sessionCreationWindowMs: duration(env, 'SESSION_CREATION_WINDOW', HOUR, 100, 30 * 24 * HOUR),
      membersPerSession: integer(env, 'MEMBERS_PER_SESSION', 50, 1, 100_000),
      maxSessions: integer(env, 'MAX_SESSIONS', 100_000, 1, 100_000_000),
      socketBufferBytes: integer(env, 'SOCKET_BUFFER_BYTES', 8 * 1024 ** 2, 64 * 1024, 1024 ** 3),
      // The SDK keeps 16 fetches in flight (DEFAULT_FETCH_WINDOW): twice that never slows it down.
      fetchesInFlight: integer(env, 'FETCHES_IN_FLIGHT', 32, 1, 1024),
      handshakesPerAddress: integer(env, 'HANDSHAKES_PER_ADDRESS', 300, 1, 1_000_000),
      openConnectionsPerAddress: integer(env, 'OPEN_CONNECTIONS_PER_ADDRESS', 100, 1, 1_000_000),
      httpConnectionsPerAddress: integer(env, 'HTTP_CONNECTIONS_PER_ADDRESS', 256, 1, 1_000_000),
      ...httpTimeouts(env),
    },
    trustProxyHops: trustProxy(env.TRUST_PROXY),
    behindProxy: boolean(env, 'BEHIND_PROXY', false),
    production: env.NODE_ENV?.trim() === 'production',
    accessToken: env.ACCESS_TOKEN?.trim() || undefined,
    joinFailuresPerAddress: integer(env, 'JOIN_FAILURES_PER_ADDRESS', 10, 1, 1_000_000),
    joinFailuresPerSession: integer(env, 'JOIN_FAILURES_PER_SESSION', 30, 1, 1_000_000),
    joinFailureWindowMs: integer(env, 'JOIN_FAILURE_WINDOW_MS', 60_000, 100, 86_400_000),
    joinBackoffMs: duration(env, 'JOIN_BACKOFF', 60_000, 10, 24 * HOUR),
    joinBackoffMaxMs: duration(env, 'JOIN_BACKOFF_MAX', HOUR, 10, 7 * 24 * HOUR),
    uploadsPerAddress: integer(env, 'UPLOADS_PER_ADDRESS', 64, 1, 1_000_000),
    dataDir: env.DATA_DIR?.trim() || defaults.dataDir,
    storeFsync: boolean(env, 'STORE_FSYNC', false),
    storeDirectIo: boolean(env, 'STORE_DIRECT_IO', true),
    sessionTtlMs: duration(env, 'SESSION_TTL', 24 * HOUR, 1_000, 365 * 24 * HOUR),
    sweepIntervalMs: duration(env, 'SWEEP_INTERVAL', 60_000, 100, 24 * HOUR),
    uploadAbandonMs: duration(env, 'UPLOAD_ABANDON_AFTER', 10 * 60_000, 100, 7 * 24 * HOUR),
    sessionQuotaBytes: integer(env, 'SESSION_QUOTA_BYTES', 10 * 1024 ** 3, 1, 1024 ** 5),
    sessionMaxItems: integer(env, 'SESSION_MAX_ITEMS', 1000, 1, 1_000_000),
    admin: admin(env),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    logTagSecret: logTagSecret(env.LOG_TAG_SECRET),
    clientDir: env.CLIENT_DIR?.trim() || defaults.clientDir,
    logLevel: logLevel(env.LOG_LEVEL),
    nodeId: '',
    cluster: clusterConfig(env),
    drainTimeoutMs: duration(env, 'DRAIN_TIMEOUT', 5_000, 0, 600_000),
    tls: undefined,
  };
  config.tls = tlsConfig(env, { behindProxy: config.behindProxy, cluster: config.cluster !== undefined });
  config.nodeId = nodeId(env, config.cluster !== undefined);
  return config;
}
