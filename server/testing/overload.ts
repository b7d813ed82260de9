/**
 * Watching a server process under attack: its memory, and how fast /healthz
 * answers a well-behaved client. The watcher runs on its own thread, so the
 * test's own work (sending the attack) never shows up as server latency.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

export const MB = 1024 * 1024;

/** The process's resident memory in bytes (VmRSS in /proc/<pid>/status). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

export interface WatchResult {
  slowestMs: number;
  peakRss: number;
  polls: number;
  failures: number;
}

export interface Watch {
  /** Stops polling; the slowest /healthz answer and the highest RSS seen. */
  stop(): Promise<WatchResult>;
}

// Plain JavaScript: a worker evaluates it as is. One GET at a time, each awaited, about every 50 ms.
const WATCHER = `
const { workerData, parentPort } = require('node:worker_threads');
const { Agent, get } = require('node:http');
const { readFileSync } = require('node:fs');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const result = { slowestMs: 0, peakRss: 0, polls: 0, failures: 0 };
let running = true;
parentPort.on('message', () => (running = false));
const rss = () => Number(/^VmRSS:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/' + workerData.pid + '/status', 'utf8'))[1]) * 1024;
const poll = () => new Promise((resolve) => {
  const started = performance.now();
  get(workerData.url + '/healthz', { agent }, (res) => {
    res.resume();
    res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - started }));
  }).on('error', () => resolve({ ok: false, ms: performance.now() - started }));
});
(async () => {
  // A first answer before the watch counts: the thread's and the connection's start are not the server's.
  await poll();
  parentPort.postMessage('ready');
  while (running) {
    const { ok, ms } = await poll();
    result.polls++;
    if (!ok) result.failures++;
    result.slowestMs = Math.max(result.slowestMs, ms);
    result.peakRss = Math.max(result.peakRss, rss());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  agent.destroy();
  parentPort.postMessage(result);
})();
`;

/** Polls /healthz from its own thread and samples the server's RSS with each answer; resolves once it polls. */
export async function watchServer(url: string, pid: number): Promise<Watch> {
  const worker = new Worker(WATCHER, { eval: true, workerData: { url, pid } });
  await once(worker, 'message');
  const done = once(worker, 'message') as Promise<[WatchResult]>;
  return {
    async stop() {
      worker.postMessage('stop');
      const [result] = await done;
      await worker.terminate();
      return result;
    },
  };
}
