/**
 * Records a Chromium trace over CDP (the Tracing domain on the browser
 * target, never the Network domain), for gc-trace.ts and timeline-trace.ts:
 * start with the categories wanted, and the returned function ends the
 * trace and hands back its events.
 */
import type { Chromium } from './chromium.ts';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export async function recordTrace(chromium: Chromium, categories: string[]): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  const stopCollecting = chromium.on('Tracing.dataCollected', (params) => events.push(...(params.value as TraceEvent[])));
  await chromium.send('Tracing.start', {
    traceConfig: { includedCategories: categories, excludedCategories: ['*'] },
    transferMode: 'ReportEvents',
  });
  return async () => {
    const complete = new Promise<void>((resolve) => {
      const stopWaiting = chromium.on('Tracing.tracingComplete', () => {
        stopWaiting();
        resolve();
      });
    });
    await chromium.send('Tracing.end');
    await complete;
    stopCollecting();
    return events;
  };
}

/** Thread names by `pid/tid`, from the trace's metadata events. */
export function threadNames(events: TraceEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}/${e.tid}`, e.args?.name ?? '?');
  return names;
}
