/**
 * What B's renderer holds during a save (bench/browser.ts --memory-trace):
 * every 250 ms, the RSS of the renderer and, over CDP, the V8 heap of the
 * page and of the service worker (Runtime.getHeapUsage: JS objects, and
 * the ArrayBuffer backing stores they keep). Peaks of RSS that the heaps
 * do not explain are memory outside V8 (the browser's own buffers).
 */
import { readFileSync } from 'node:fs';
import type { Chromium, Page, ProcessSample } from './chromium.ts';

const SAMPLE_MS = 250;
const MiB = 2 ** 20;

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

interface Sample {
  ms: number;
  rss: number;
  page?: HeapUsage;
  worker?: HeapUsage;
}

function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The renderer using the most memory: the app's page (and its service worker), not a blank tab. */
function largestRenderer(processes: ProcessSample[]): number | undefined {
  return processes.filter((p) => p.type === 'renderer').sort((x, y) => rssBytes(y.pid) - rssBytes(x.pid))[0]?.pid;
}

/** The session of the service worker's target of `chromium`, attached (not paused). */
async function attachWorker(chromium: Chromium): Promise<string | undefined> {
  const { targetInfos } = await chromium.send<{ targetInfos: Array<{ targetId: string; type: string }> }>('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker');
  if (!worker) return undefined;
  const { sessionId } = await chromium.send<{ sessionId: string }>('Target.attachToTarget', { targetId: worker.targetId, flatten: true });
  return sessionId;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / MiB).toFixed(0));
const heap = (usage: HeapUsage | undefined) => `${mib(usage?.usedSize)}+${mib(usage?.backingStorageSize)}`;

/** Starts sampling `page`'s renderer among `processes`; the returned function stops it and describes the peaks and the course of the save. */
export async function traceMemory(chromium: Chromium, page: Page, processes: ProcessSample[]): Promise<() => string> {
  const pid = largestRenderer(processes);
  const workerSession = await attachWorker(chromium);
  const started = performance.now();
  const samples: Sample[] = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || pid === undefined) return;
    busy = true;
    try {
      const [pageHeap, workerHeap] = await Promise.all([
        page.send<HeapUsage>('Runtime.getHeapUsage').catch(() => undefined),
        workerSession ? chromium.send<HeapUsage>('Runtime.getHeapUsage', {}, workerSession).catch(() => undefined) : undefined,
      ]);
      samples.push({ ms: performance.now() - started, rss: rssBytes(pid), page: pageHeap, worker: workerHeap });
    } finally {
      busy = false;
    }
  }, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    const peak = (value: (s: Sample) => number | undefined) => mib(Math.max(0, ...samples.map((s) => value(s) ?? 0)));
    const step = Math.max(1, Math.ceil(samples.length / 12));
    const course = samples.filter((_, i) => i % step === 0).map((s) => `${(s.ms / 1000).toFixed(1)}s ${mib(s.rss)} p${heap(s.page)} w${heap(s.worker)}`);
    return [
      `B's renderer, MiB (heap: JS objects + ArrayBuffer backing stores; ${samples.length} samples):`,
      `  peak RSS ${peak((s) => s.rss)}; page heap ${peak((s) => s.page?.usedSize)} + buffers ${peak((s) => s.page?.backingStorageSize)}; worker heap ${peak((s) => s.worker?.usedSize)} + buffers ${peak((s) => s.worker?.backingStorageSize)}${workerSession ? '' : ' (no service worker found)'}`,
      `  course (RSS, page, worker): ${course.join(' | ')}`,
    ].join('\n');
  };
}
