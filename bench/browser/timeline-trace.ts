/**
 * A Chromium trace of one transfer (bench/browser.ts --trace), app and bare
 * pages alike, to see what one pair does natively that the other does not:
 * per process and thread, the CPU time of its outermost trace events (tasks)
 * and, for the busiest threads, which events ran how often and for how much
 * thread CPU (inclusive: nested events count in their parents too). Thread
 * CPU (`tdur`), not wall time: with both cores saturated, wall time counts
 * the waits for a core too. Timeline, V8, Blink, toplevel (tasks) and mojom
 * categories; never the Network domain (it makes Chromium base64 every
 * WebSocket frame). The raw trace is written beside the profiles, to open in
 * the DevTools Performance panel.
 */
import { writeFile } from 'node:fs/promises';
import type { Chromium, ProcessSample } from './chromium.ts';
import { formatTable } from '../lib/format.ts';
import { recordTrace, threadNames as threadNamesOf, type TraceEvent } from './trace-recording.ts';

const CATEGORIES = [
  'devtools.timeline', 'v8', 'v8.execute', 'blink', 'toplevel', 'mojom', 'gpu', 'cc', 'viz',
  'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', '__metadata',
];
/** Threads whose events are listed one by one; the others are only totalled. */
const DETAILED_THREADS = ['CrRendererMain', 'Compositor', 'VizCompositorThread'];

/** Starts tracing `chromium`; the returned function ends it, writes the raw trace to `file` and summarises it. */
export async function traceTimeline(chromium: Chromium, label: string, file: string): Promise<(processes: ProcessSample[]) => Promise<string>> {
  const stop = await recordTrace(chromium, CATEGORIES);
  return async (processes) => {
    const events = await stop();
    await writeFile(file, JSON.stringify({ traceEvents: events }));
    return summarise(label, events, processes);
  };
}

function summarise(label: string, events: TraceEvent[], processes: ProcessSample[]): string {
  const roleOf = new Map(processes.map((p) => [p.pid, p.type]));
  const threadNames = threadNamesOf(events);
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.tdur === undefined) continue;
    const where = `${roleOf.get(e.pid) ?? 'gone'} ${e.pid} / ${threadNames.get(`${e.pid}/${e.tid}`) ?? e.tid}`;
    let list = byThread.get(where);
    if (!list) byThread.set(where, (list = []));
    list.push(e);
  }
  const totals: Array<[string, number]> = [];
  const details: string[] = [];
  for (const [where, list] of byThread) {
    // Outermost events only: nested ones are inside their parents' CPU time.
    list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    let cpuUs = 0;
    let end = -Infinity;
    const names = new Map<string, { n: number; us: number }>();
    for (const e of list) {
      if (e.ts >= end) {
        cpuUs += e.tdur!;
        end = e.ts + (e.dur ?? 0);
      }
      const entry = names.get(e.name) ?? { n: 0, us: 0 };
      entry.n++;
      entry.us += e.tdur!;
      names.set(e.name, entry);
    }
    totals.push([where, cpuUs]);
    if (!DETAILED_THREADS.some((thread) => where.endsWith(`/ ${thread}`)) || cpuUs < 5000) continue;
    const rows = [...names].sort(([, a], [, b]) => b.us - a.us).slice(0, 25);
    details.push(`${label}, ${where}:\n${formatTable(['count', 'cpu ms', 'event'], rows.map(([name, c]) => [String(c.n), (c.us / 1000).toFixed(1), name]), ['right', 'right'])}`);
  }
  totals.sort(([, a], [, b]) => b - a);
  const summary = formatTable(['cpu ms', 'process / thread'], totals.filter(([, us]) => us >= 1000).map(([where, us]) => [(us / 1000).toFixed(1), where]), ['right']);
  return [`${label}: thread CPU of traced tasks during the transfer`, summary, ...details].join('\n\n');
}
