/**
 * Garbage collections in one Chromium during a save (bench/browser.ts
 * --memory-trace): a trace of V8's GC category alone, the collections
 * counted per thread (the page's main thread, the service worker's) and
 * kind, full (mark-compact) or young (scavenge), with their pauses.
 */
import type { Chromium } from './chromium.ts';
import { recordTrace, threadNames } from './trace-recording.ts';

const KINDS: Record<string, string> = { 'V8.GC_MARK_COMPACTOR': 'full', 'V8.GC_SCAVENGER': 'young', 'V8.GC_MINOR_MARK_SWEEPER': 'young' };

/** Starts tracing; the returned function ends it and describes the collections by thread. */
export async function traceGc(chromium: Chromium): Promise<() => Promise<string>> {
  const stop = await recordTrace(chromium, ['disabled-by-default-v8.gc', '__metadata']);
  return async () => {
    const events = await stop();
    const threads = threadNames(events);
    const counts = new Map<string, { n: number; ms: number }>();
    for (const e of events) {
      const kind = KINDS[e.name];
      if (e.ph !== 'X' || !kind) continue;
      const key = `${threads.get(`${e.pid}/${e.tid}`) ?? e.tid} ${kind}`;
      const count = counts.get(key) ?? { n: 0, ms: 0 };
      count.n++;
      count.ms += (e.dur ?? 0) / 1000;
      counts.set(key, count);
    }
    const list = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, c]) => `${key} ${c.n} (${c.ms.toFixed(0)} ms)`);
    return `B's garbage collections (thread, kind, count, pauses): ${list.join(', ') || 'none'}`;
  };
}
