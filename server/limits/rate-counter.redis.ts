/**
 * Rate counters shared by every node, in Redis (rate-limiter-flexible).
 * While Redis cannot answer, each node counts in its own memory instead (the
 * insurance limiter), so limits still hold per node and nothing waits on
 * Redis. rate-limiter-flexible keeps windows in whole seconds in Redis, so a
 * window is rounded up to the next second.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateCounter, RateCounterFactory } from './rate-counter.ts';
import type { RateDecision } from './rate-limiter.ts';

const ALLOWED: RateDecision = { allowed: true, retryAfterMs: 0 };

export function redisRateCounters(redis: Redis, keyPrefix: (name: string) => string): RateCounterFactory {
  return (name, limit, windowMs): RateCounter => {
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      points: limit,
      duration,
      keyPrefix: keyPrefix(name),
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: limit, duration }),
    });
    return {
      async hit(key, weight = 1) {
        try {
          await limiter.consume(key, weight);
          return ALLOWED;
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
          throw rejection;
        }
      },
      async check(key) {
        const state = await limiter.get(key);
        if (!state || state.consumedPoints < limit) return ALLOWED;
        return { allowed: false, retryAfterMs: state.msBeforeNext };
      },
      close() {
        // Nothing of its own to close: the Redis connection is the node's.
      },
    };
  };
}
