/**
 * Exponential backoff per address for failed joins: the work against online
 * guessing. An address that failed too often (JOIN_FAILURES_PER_ADDRESS in a
 * window, or once on a session under attack) is refused before its proof is
 * checked for JOIN_BACKOFF; each further failure, or attempt while refused,
 * doubles that, up to JOIN_BACKOFF_MAX. It is forgotten after
 * JOIN_BACKOFF_MAX without a failure. Kept in this node's memory: in a
 * cluster an address reaching the shared failure counter is blocked on each
 * node it tries next, one failure later.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Most addresses remembered; the oldest are dropped first (their blocks end early). */
  maxEntries?: number;
}

interface Entry {
  strikes: number;
  blockedUntil: number;
  lastFailureAt: number;
}

export class JoinBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(private readonly options: BackoffOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /**
   * Milliseconds the address must still wait (0: go ahead). An attempt while
   * blocked counts as a strike, so hammering only makes the wait longer.
   */
  refuse(address: string, now: number): number {
    const entry = this.current(address, now);
    if (!entry || now >= entry.blockedUntil) return 0;
    this.strike(address, entry, now);
    return entry.blockedUntil - now;
  }

  /** A failed join from `address`; `block`: it is over its allowance (or the session under attack). */
  failed(address: string, now: number, block: boolean): void {
    const entry = this.current(address, now) ?? { strikes: 0, blockedUntil: 0, lastFailureAt: now };
    entry.lastFailureAt = now;
    if (block) this.strike(address, entry, now);
    else this.remember(address, entry);
  }

  close(): void {
    this.entries.clear();
  }

  private strike(address: string, entry: Entry, now: number): void {
    const delay = Math.min(this.options.baseMs * 2 ** entry.strikes, this.options.maxMs);
    entry.strikes = Math.min(entry.strikes + 1, 40);
    entry.lastFailureAt = now;
    entry.blockedUntil = Math.max(entry.blockedUntil, now + delay);
    this.remember(address, entry);
  }

  private remember(address: string, entry: Entry): void {
    this.entries.delete(address); // re-inserted last: Map order is then oldest activity first
    this.entries.set(address, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  private current(address: string, now: number): Entry | undefined {
    const entry = this.entries.get(address);
    if (entry && now - entry.lastFailureAt > this.options.maxMs && now >= entry.blockedUntil) {
      this.entries.delete(address);
      return undefined;
    }
    return entry;
  }
}
