/** Rate counters of a single node: the in-memory fixed windows of rate-limiter.ts. */
import type { RateCounter, RateCounterFactory } from './rate-counter.ts';
import { RateLimiter } from './rate-limiter.ts';

export const memoryRateCounters: RateCounterFactory = (_name, limit, windowMs): RateCounter => {
  const limiter = new RateLimiter(limit, windowMs);
  return {
    hit: async (key, weight) => limiter.hit(key, weight),
    check: async (key) => limiter.check(key),
    close: () => limiter.close(),
  };
};
