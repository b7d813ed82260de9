/**
 * The backends of a node in a cluster: Redis for broadcasts (the Socket.IO
 * Redis adapter), presence, limits, the sweeper's lease and every record; the
 * object store for the ciphertext of chunks. Start-up fails with a message
 * naming the variable to fix when Redis or the bucket cannot be reached.
 */
import type { Backends } from '../backends.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { redisRateCounters } from '../limits/rate-counter.redis.ts';
import { RedisLease } from '../retention/lease.redis.ts';
import { RedisPresence } from '../sessions/presence.redis.ts';
import { ObjectStore } from '../store/redis-s3/object-store.ts';
import { RedisS3Store } from '../store/redis-s3/redis-s3-store.ts';
import { clusterAdapter } from './adapter.ts';
import type { ClusterConfig } from './config.ts';
import { RedisKeys } from './keys.ts';
import { connectRedis } from './redis.ts';
import { sharedLogTagSecret } from './log-tag-secret.ts';

export async function openClusterBackends(config: Config, cluster: ClusterConfig, log: Logger): Promise<Backends> {
  const redis = await connectRedis(cluster.redis, config.nodeId, log);
  const keys = new RedisKeys(cluster.redisPrefix);
  const objects = new ObjectStore(cluster.s3);
  const store = new RedisS3Store(redis.command, keys, objects, cluster.s3.keyPrefix, log);
  const presence = new RedisPresence(redis.command, keys, config.nodeId, cluster.nodeTimeoutMs, log);
  let logTagSecret: string;
  try {
    await store.open();
    logTagSecret = config.logTagSecret ?? (await sharedLogTagSecret(redis.command, keys.logTagSecret));
    await presence.start();
  } catch (error) {
    objects.close();
    await redis.close();
    throw error;
  }
  // The sweeper renews its lease at every pass; it lapses after a few missed passes.
  const lease = new RedisLease(redis.command, keys.lease('sweeper'), config.nodeId, Math.max(3 * config.sweepIntervalMs, 10_000));
  return {
    store,
    presence,
    logTagSecret,
    counters: redisRateCounters(redis.command, (name) => keys.limits(name)),
    lease,
    adapter: (policy) => clusterAdapter(redis.publisher, redis.subscriber, keys.adapterChannel, policy, log),
    status: () => ({ redis: redis.isUp() ? 'up' : 'down' }),
    onRelayRestored: (listener) => redis.onSubscriberRestored(listener),
    close: async () => {
      await presence.close().catch(() => undefined);
      await store.close();
      await redis.close();
    },
  };
}
