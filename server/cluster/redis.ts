/**
 * The node's connections to Redis (ioredis): one for commands, two for the
 * Socket.IO adapter (publish, subscribe). None queues commands while Redis is
 * away (`enableOfflineQueue: false`) and commands time out: a request that
 * needs Redis then fails at once and is answered UNAVAILABLE with a retry
 * hint (unavailable.ts), instead of hanging or piling up chunks in memory.
 * ioredis reconnects by itself and re-subscribes the adapter.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../config-values.ts';
import { describeError, type Logger } from '../log.ts';
import { describeRedis, type RedisTarget } from './config.ts';

/** A command that takes longer than this fails (Redis stalled): the request is answered UNAVAILABLE. */
export const COMMAND_TIMEOUT_MS = 2_000;
/** How long start-up waits for Redis before it gives up with a message naming REDIS_URL. */
const STARTUP_TIMEOUT_MS = 5_000;

export interface RedisConnections {
  command: Redis;
  publisher: Redis;
  subscriber: Redis;
  /** Whether the command connection is up right now. */
  isUp(): boolean;
  /** The subscriber is back after being cut off: broadcasts from other nodes were missed meanwhile. */
  onSubscriberRestored(listener: () => void): void;
  close(): Promise<void>;
}

const OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 3_000,
  // Reconnect quickly (a restarted Redis is back within seconds), then every second.
  retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
};

/** ioredis' options for the target: a URL, or sentinels (plus the URL's credentials and database, if given). */
function targetOptions(target: RedisTarget): { url?: string; options: RedisOptions } {
  if (!target.sentinels) return { url: target.url!, options: {} };
  const url = target.url ? new URL(target.url) : undefined;
  return {
    options: {
      sentinels: target.sentinels,
      name: target.sentinelName,
      ...(url?.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url?.password ? { password: decodeURIComponent(url.password), sentinelPassword: decodeURIComponent(url.password) } : {}),
      ...(url && url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url?.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}

function connection(target: RedisTarget, name: string, log: Logger, options: RedisOptions = {}): Redis {
  const { url, options: base } = targetOptions(target);
  const settings = { ...OPTIONS, ...base, connectionName: name, ...options };
  const redis = url ? new Redis(url, settings) : new Redis(settings);
  // Logged once per outage, not on every reconnection attempt.
  let down = false;
  redis.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    log.warn('redis connection lost', { connection: name, error: describeError(error) });
  });
  redis.on('ready', () => {
    if (down) log.info('redis connection back', { connection: name });
    down = false;
  });
  return redis;
}

async function open(redis: Redis, target: RedisTarget): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), STARTUP_TIMEOUT_MS))),
    ]);
  } catch (error) {
    redis.disconnect();
    const variable = target.sentinels ? 'REDIS_SENTINELS' : 'REDIS_URL';
    throw new ConfigError(`${variable}: cannot reach Redis at ${describeRedis(target)} (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a polite QUIT may take before the socket is simply closed (Redis unreachable). */
const QUIT_TIMEOUT_MS = 1_000;

/** Quits politely, but never waits on a link that is cut: a node must be able to stop when Redis is unreachable. */
async function closeConnection(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
  await Promise.race([redis.quit().then(() => undefined, () => undefined), late]);
  clearTimeout(timer);
  redis.disconnect();
}

/** Connects all three, or fails with a ConfigError naming REDIS_URL (or REDIS_SENTINELS). */
export async function connectRedis(target: RedisTarget | string, nodeId: string, log: Logger): Promise<RedisConnections> {
  if (typeof target === 'string') target = { url: target, sentinels: undefined, sentinelName: 'mymaster' };
  const command = connection(target, `sharethings-${nodeId}`, log, { commandTimeout: COMMAND_TIMEOUT_MS });
  const publisher = connection(target, `sharethings-${nodeId}-pub`, log);
  // Subscriptions are sent again by ioredis when it reconnects; they must not time out while idle.
  const subscriber = connection(target, `sharethings-${nodeId}-sub`, log);
  const all = [command, publisher, subscriber];
  try {
    for (const redis of all) await open(redis, target);
  } catch (error) {
    for (const redis of all) redis.disconnect();
    throw error;
  }
  let subscriberLost = false;
  const restored: Array<() => void> = [];
  subscriber.on('close', () => (subscriberLost = true));
  subscriber.on('ready', () => {
    if (!subscriberLost) return;
    subscriberLost = false;
    for (const listener of restored) listener();
  });
  return {
    command,
    publisher,
    subscriber,
    isUp: () => command.status === 'ready',
    onSubscriberRestored: (listener) => void restored.push(listener),
    close: () => Promise.all(all.map(closeConnection)).then(() => undefined),
  };
}
