/**
 * Fixed-window counters per key (an address, a session id, a socket id).
 * Windows are dropped lazily and by a sweep, so keys never accumulate.
 */
export interface RateDecision {
  allowed: boolean;
  /** When not allowed: milliseconds until the window resets. */
  retryAfterMs: number;
}

interface Window {
  startedAt: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(windowMs, 1000));
    this.sweeper.unref();
  }

  /** Counts one event for `key` (weight for byte budgets) and says whether it is within the limit. */
  hit(key: string, weight = 1): RateDecision {
    const window = this.current(key);
    window.count += weight;
    return this.decide(window);
  }

  /** Says whether `key` is already over the limit, without counting. */
  check(key: string): RateDecision {
    const window = this.windows.get(key);
    if (!window || this.now() - window.startedAt >= this.windowMs) return { allowed: true, retryAfterMs: 0 };
    return { allowed: window.count < this.limit, retryAfterMs: this.retryAfter(window) };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  get size(): number {
    return this.windows.size;
  }

  private current(key: string): Window {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    return window;
  }

  private decide(window: Window): RateDecision {
    const allowed = window.count <= this.limit;
    return { allowed, retryAfterMs: allowed ? 0 : this.retryAfter(window) };
  }

  private retryAfter(window: Window): number {
    return Math.max(0, window.startedAt + this.windowMs - this.now());
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
  }
}
