/**
 * Limits counted per address or per session must hold across every node: a
 * RateCounter is a fixed-window counter per key, in memory on a single node
 * (rate-counter.memory.ts) and in Redis in a cluster (rate-counter.redis.ts).
 * Limits per connection stay in the node's memory (rate-limiter.ts).
 */
import type { RateDecision } from './rate-limiter.ts';

export interface RateCounter {
  /** Counts `weight` for `key` and says whether the key is still within its limit. */
  hit(key: string, weight?: number): Promise<RateDecision>;
  /** Whether `key` is still within its limit, without counting. */
  check(key: string): Promise<RateDecision>;
  close(): void;
}

/** Makes the counters of one backend; `name` keeps each limit's keys apart. */
export type RateCounterFactory = (name: string, limit: number, windowMs: number) => RateCounter;
