/**
 * Test servers that come back where they were: the app on a FIXED port (and
 * data directory), so a client can reconnect to the same URL after a restart;
 * a throttling TCP proxy (a slow network, one direction); and readers for a
 * server's metrics and a child process's peak memory.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { PROJECT_ROOT, type TestServer } from './harness.ts';

export { freePort } from '../ops/process.ts';

/**
 * Starts the app on 127.0.0.1:`port` with `dataDir` (kept: the caller owns it).
 * Stop it with `server.app.close()` (graceful: clients see a transport close and
 * reconnect), then start another on the same port and directory.
 */
export async function startServerAt(
  t: TestContext,
  port: number,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const config = loadConfig(
    { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', SHUTDOWN_TIMEOUT_MS: '2000', ...env, PORT: String(port), HOST: '127.0.0.1' },
    { clientDir: path.join(PROJECT_ROOT, 'dist', 'client'), dataDir },
  );
  const app = await createApp(config, { log: createLogger(config.logLevel) });
  app.httpServer.listen(port, '127.0.0.1');
  await once(app.httpServer, 'listening');
  t.after(() => app.close());
  return { app, port, url: `http://127.0.0.1:${port}`, dataDir };
}

export interface ThrottleProxy {
  url: string;
  port: number;
  /** Bytes per second from the server to the client; Infinity lifts the limit. */
  setRate(bytesPerSecond: number): void;
  /** Bytes forwarded to clients so far. */
  readonly forwarded: number;
}

/**
 * A TCP proxy to 127.0.0.1:`targetPort` that forwards server-to-client bytes
 * at most `bytesPerSecond` (client-to-server is unthrottled): a slow downlink.
 * It stops reading from the server while over budget, so the server's socket
 * buffers fill as they would for a slow receiver on a real network.
 */
export async function startThrottleProxy(t: TestContext, targetPort: number, bytesPerSecond: number): Promise<ThrottleProxy> {
  let rate = bytesPerSecond;
  let forwarded = 0;
  const resumers = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    // Token bucket: spend per chunk; when in debt, pause the server side until it is paid back.
    let budget = 0;
    let last = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const resume = () => {
      clearTimeout(timer);
      timer = undefined;
      upstream.resume();
    };
    resumers.add(resume);
    upstream.on('data', (data: Buffer) => {
      forwarded += data.length;
      if (!client.write(data)) {
        upstream.pause();
        client.once('drain', () => timer === undefined && upstream.resume());
      }
      if (!Number.isFinite(rate)) return;
      const now = performance.now();
      budget = Math.min(rate / 10, budget + ((now - last) / 1000) * rate) - data.length;
      last = now;
      if (budget < 0) {
        upstream.pause();
        clearTimeout(timer);
        timer = setTimeout(resume, (-budget / rate) * 1000);
      }
    });
    const end = () => {
      clearTimeout(timer);
      resumers.delete(resume);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setRate(bytesPerSecondNow: number) {
      rate = bytesPerSecondNow;
      if (!Number.isFinite(rate)) for (const resume of resumers) resume();
    },
    get forwarded() {
      return forwarded;
    },
  };
}

/** The sum of the Prometheus series named `name` on `url`/metrics that carry `labels` (0 when there are none). */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  const body = await response.text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) total += Number(match[3]);
  }
  return total;
}

/** Peak resident memory (VmHWM) of a process, in bytes, from /proc. */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}
