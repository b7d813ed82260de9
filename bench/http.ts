/**
 * HTTP request rate with autocannon: /healthz, the client bundle (index.html
 * and the hashed app-*.js, plain and as the build's brotli variant) and the
 * Engine.IO polling handshake, each against
 * the real server (server/main.ts, its own process) and, in the same run,
 * against a bare node:http server answering the same bytes and headers
 * (captured from the real server first). autocannon runs in this process.
 *
 *   npx tsx bench/http.ts [--targets healthz,index,app-js,app-js-br,eio-handshake]
 *                         [--duration 5] [--connections 50] [--runs 3]
 *
 * The real server gets a copy of dist/client (built first when missing), so a
 * rebuild elsewhere during the run cannot change the bytes served.
 * Each handshake creates an Engine.IO session that lives until its timeouts,
 * so every handshake run gets a fresh ShareThings process.
 */
import autocannon from 'autocannon';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { precompress } from '../client/build.ts';
import os from 'node:os';
import path from 'node:path';
import { benchMain, listValue, numberValue, pick, type BenchOutcome } from './lib/cli.ts';
import { formatNumber } from './lib/format.ts';
import { PROJECT_ROOT, spawnTs } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { machineBusySeconds } from './lib/sysinfo.ts';
import type { BaselineSpec, CapturedResponse } from './http/baseline-server.ts';
import { routeKey } from './http/route-key.ts';

const TARGETS = ['healthz', 'index', 'app-js', 'app-js-br', 'eio-handshake'] as const;
type Target = (typeof TARGETS)[number];
const VARIANTS = ['node:http', 'sharethings'] as const;
type Variant = (typeof VARIANTS)[number];

export interface HttpOptions {
  targets: Target[];
  durationSeconds: number;
  connections: number;
  runs: number;
}

interface Measurement {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  serverCpu: number | undefined;
  loadgenCpu: number;
  non2xx: number;
  errors: number;
  /** Cores used by everything else on the machine meanwhile. */
  otherCpu: number | undefined;
}

// Response headers node:http adds by itself (or that describe the connection).
const CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

async function ensureClientBuild(log: (line: string) => void): Promise<string> {
  const dir = path.join(PROJECT_ROOT, 'dist', 'client');
  const hasBundle = async () => existsSync(path.join(dir, 'index.html')) && (await readdir(dir)).some((f) => /^app-.*\.js$/.test(f));
  if (!(await hasBundle())) {
    log('dist/client is missing: building the client (client/build.ts)');
    const build = spawnTs('client/build.ts', { label: 'client build' });
    const exit = await build.exited;
    if (exit.code !== 0) throw new Error(`client build failed (${exit.signal ?? exit.code})\n${build.stderr}`);
  }
  // A private copy: another build may replace dist/client while we measure.
  const copy = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-client-'));
  await cp(dir, copy, { recursive: true });
  // A build from before client/build.ts precompressed: make its .br/.gz variants here, as the build would.
  if (!(await readdir(copy)).some((f) => /^app-.*\.js\.br$/.test(f))) {
    log(`dist/client has no precompressed variants: made them in the copy (${await precompress(copy)} files)`);
  }
  if (!(await readdir(copy)).some((f) => /^app-.*\.js$/.test(f))) throw new Error('no app-*.js in dist/client');
  return copy;
}

function targetPath(target: Target, appFile: string): string {
  switch (target) {
    case 'healthz':
      return '/healthz';
    case 'index':
      return '/';
    case 'app-js':
    case 'app-js-br':
      return `/${appFile}`;
    case 'eio-handshake':
      return '/socket.io/?EIO=4&transport=polling';
  }
}

/** The request headers autocannon sends for a target (none but its own, except the compressed bundle's). */
function requestHeaders(target: Target): Record<string, string> {
  return target === 'app-js-br' ? { 'accept-encoding': 'gzip, deflate, br' } : {};
}

/** The response's status, headers and bytes as sent (node:http: fetch would decompress them). */
async function capture(url: string, freshSid: boolean, requestHeaders: Record<string, string>): Promise<CapturedResponse> {
  const { status, rawHeaders, body } = await new Promise<{ status: number; rawHeaders: string[]; body: Buffer }>((resolve, reject) => {
    get(url, { headers: requestHeaders }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
  if (status !== 200) throw new Error(`GET ${url}: ${status}`);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!CONNECTION_HEADERS.has(name)) headers.push([name, rawHeaders[i + 1]!]);
  }
  return { status, headers, bodyBase64: body.toString('base64'), freshSid };
}

function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function load(opts: HttpOptions, server: ServerHandle, pathname: string, headers: Record<string, string>): Promise<Measurement> {
  const cpuStart = cpuNow();
  const serverCpuStart = server.cpuSeconds();
  const busyStart = machineBusySeconds();
  const wallStart = performance.now();
  const result = await autocannon({
    url: `${server.url}${pathname}`,
    connections: opts.connections,
    duration: opts.durationSeconds,
    pipelining: 1,
    timeout: 10,
    headers,
  });
  const serverCpuEnd = server.cpuSeconds();
  const busyEnd = machineBusySeconds();
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const loadgenCpu = cpuNow() - cpuStart;
  const seconds = result.duration > 0 ? result.duration : opts.durationSeconds;
  const serverCpu = serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined;
  return {
    requestsPerSecond: result['2xx'] / seconds,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    serverCpu: serverCpu === undefined ? undefined : serverCpu / wallSeconds,
    loadgenCpu: loadgenCpu / wallSeconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    otherCpu: busyStart !== undefined && busyEnd !== undefined && serverCpu !== undefined
      ? Math.max(0, busyEnd - busyStart - serverCpu - loadgenCpu) / wallSeconds
      : undefined,
  };
}

async function run(opts: HttpOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const clientDir = await ensureClientBuild(log);
  const servers: ServerHandle[] = [];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const env = { CLIENT_DIR: clientDir };
  try {
    const appFile = (await readdir(clientDir)).find((f) => /^app-.*\.js$/.test(f))!;
    const sharethings = await startShareThings({ label: 'sharethings http', env });
    servers.push(sharethings);
    const spec: BaselineSpec = { routes: {} };
    for (const target of opts.targets) {
      const pathname = targetPath(target, appFile);
      spec.routes[routeKey(pathname, requestHeaders(target)['accept-encoding'])] =
        await capture(`${sharethings.url}${pathname}`, target === 'eio-handshake', requestHeaders(target));
    }
    const specFile = path.join(clientDir, 'baseline-spec.json');
    await writeFile(specFile, JSON.stringify(spec));
    const baseline = await startTsServer('bench/http/baseline-server.ts', { label: 'node:http baseline', options: { specFile } });
    servers.push(baseline);

    for (const target of opts.targets) {
      const pathname = targetPath(target, appFile);
      const measured = new Map<Variant, Measurement[]>(VARIANTS.map((variant) => [variant, []]));
      const peakRss = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
      for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
        for (const variant of rotate(VARIANTS, runIndex)) {
          let server = variant === 'node:http' ? baseline : sharethings;
          // Handshakes leave Engine.IO sessions behind: a fresh server for each run.
          const fresh = variant === 'sharethings' && target === 'eio-handshake';
          if (fresh) server = await startShareThings({ label: 'sharethings handshake', env });
          try {
            const m = await load(opts, server, pathname, requestHeaders(target));
            measured.get(variant)!.push(m);
            log(`  ${target} run ${runIndex + 1}/${opts.runs} ${variant.padEnd(12)} ${formatNumber(m.requestsPerSecond).padStart(6)} req/s  ` +
              `p99 ${m.latencyP99} ms  cpu srv ${m.serverCpu?.toFixed(2) ?? '?'} autocannon ${m.loadgenCpu.toFixed(2)} other ${m.otherCpu?.toFixed(2) ?? '?'}` +
              (m.non2xx || m.errors ? `  non-2xx ${m.non2xx} errors ${m.errors}` : ''));
          } finally {
            if (fresh) {
              const { peakRssBytes } = await server.stop();
              if (peakRssBytes !== undefined) peakRss.get(variant)!.push(peakRssBytes);
            }
          }
        }
      }
      for (const variant of VARIANTS) {
        const list = measured.get(variant)!;
        const details = {
          latencyP50Ms: medianOf(list.map((m) => m.latencyP50)) ?? null,
          latencyP99Ms: medianOf(list.map((m) => m.latencyP99)) ?? null,
          serverCpu: medianOf(list.map((m) => m.serverCpu)) ?? null,
          autocannonCpu: medianOf(list.map((m) => m.loadgenCpu)) ?? null,
          otherCpu: medianOf(list.map((m) => m.otherCpu)) ?? null,
          non2xx: list.reduce((sum, m) => sum + m.non2xx, 0),
          errors: list.reduce((sum, m) => sum + m.errors, 0),
          serverPeakRssMiB: peakRss.get(variant)!.length > 0 ? medianOf(peakRss.get(variant)!)! / 1024 ** 2 : null,
        };
        const cpu = (value: number | null) => (value === null ? '?' : value.toFixed(2));
        rows.push(makeRow({
          case: target === 'eio-handshake' ? 'EIO handshake' : pathname === '/' ? '/ (index.html)' : target === 'app-js' ? '/app-*.js'
            : target === 'app-js-br' ? '/app-*.js (br)' : pathname,
          variant,
          unit: 'req/s',
          runs: list.map((m) => m.requestsPerSecond),
          baseline: variant === 'node:http',
          details,
          detailText: `p50/p99 ${details.latencyP50Ms}/${details.latencyP99Ms} ms; cpu srv ${cpu(details.serverCpu)} autocannon ${cpu(details.autocannonCpu)} other ${cpu(details.otherCpu)}` +
            (details.serverPeakRssMiB !== null ? `; srv peak ${details.serverPeakRssMiB.toFixed(0)} MiB` : '') +
            (details.non2xx || details.errors ? `; non-2xx ${details.non2xx} errors ${details.errors}` : ''),
        }));
      }
    }
    const bundle = Buffer.from(spec.routes[`/${appFile}`]?.bodyBase64 ?? '', 'base64').length;
    if (bundle) notes.push(`${appFile}: ${bundle} bytes, served uncompressed`);
    const compressed = spec.routes[routeKey(`/${appFile}`, 'br')];
    if (compressed) {
      const encoding = compressed.headers.find(([name]) => name === 'content-encoding')?.[1] ?? 'none';
      notes.push(`/app-*.js (br): requested with Accept-Encoding: gzip, deflate, br; content-encoding ${encoding}, ${Buffer.from(compressed.bodyBase64, 'base64').length} bytes (the build's precompressed variant; the baseline answers the same bytes for that Accept-Encoding)`);
    }
    notes.push(`autocannon: ${opts.connections} connections, ${opts.durationSeconds} s per run, in the benchmark process (same cores as the server)`);
    notes.push('cpu = CPU seconds per wall second (1.00 = one full core) of the server and of autocannon; other = cores busy with anything else meanwhile');
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(clientDir, { recursive: true, force: true });
  }
  return {
    options: { ...opts },
    baselineVariant: 'node:http',
    variants: [...VARIANTS],
    cases: [...new Set(rows.map((row) => row.case))],
    rows,
    notes,
  };
}

await benchMain<HttpOptions>({
  name: 'http',
  title: 'HTTP requests/s (autocannon), real server vs bare node:http answering the same bytes',
  usage: `npx tsx bench/http.ts [flags]
  --targets LIST     ${TARGETS.join(',')} (default all)
  --duration SECONDS per run and target (default 5; smoke 0.5)
  --connections N    (default 50)
  --runs N           runs per target and server, median reported (default 3; smoke 1)`,
  options: {
    targets: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    runs: { type: 'string' },
  },
  parse(values, smoke) {
    return {
      targets: pick(listValue(values, 'targets') ?? [...TARGETS], TARGETS, 'targets'),
      durationSeconds: numberValue(values, 'duration', smoke ? 0.5 : 5, (n) => n > 0 && n <= 120),
      connections: numberValue(values, 'connections', 50, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => Number.isInteger(n) && n >= 1 && n <= 50),
    };
  },
  run,
});
