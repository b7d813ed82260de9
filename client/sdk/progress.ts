/**
 * Progress throttling (the seed's 100 ms): per transfer, at most one event per
 * interval, the latest value after a quiet spell, and always the final one
 * (bytes === total) at once. A 200 MB transfer in 256 KiB chunks would
 * otherwise emit 800 events, each a re-render in a UI.
 */
import type { Progress } from './types.ts';

interface Pending {
  last: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  latest: Progress | undefined;
}

export class ProgressThrottle {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (progress: Progress) => void,
  ) {}

  report(progress: Progress): void {
    const key = `${progress.direction}:${progress.contentId}`;
    const final = progress.bytes >= progress.total;
    let entry = this.#pending.get(key);
    const now = Date.now();
    if (final || this.intervalMs === 0) {
      if (entry) clearTimeout(entry.timer);
      this.#pending.delete(key);
      this.emit(progress);
      return;
    }
    if (!entry) {
      entry = { last: now, timer: undefined, latest: undefined };
      this.#pending.set(key, entry);
      this.emit(progress);
      return;
    }
    entry.latest = progress;
    if (entry.timer !== undefined) return;
    const wait = Math.max(0, entry.last + this.intervalMs - now);
    const flush = (target: Pending) => {
      target.timer = undefined;
      if (!target.latest) return;
      const latest = target.latest;
      target.latest = undefined;
      target.last = Date.now();
      this.emit(latest);
    };
    if (wait === 0) flush(entry);
    else entry.timer = setTimeout(flush, wait, entry);
  }

  /** The transfer ended without a final value (failed, cancelled): drop what is pending. */
  forget(contentId: string, direction: Progress['direction']): void {
    const key = `${direction}:${contentId}`;
    const entry = this.#pending.get(key);
    if (entry) clearTimeout(entry.timer);
    this.#pending.delete(key);
  }

  clear(): void {
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
    this.#pending.clear();
  }
}
