/**
 * Browser to browser: two headless Chromiums (Debian's, one per device, so
 * each has its own browser process and renderer), A shares a file through
 * the app (dropped on the page) and B saves it (the Save button: a download
 * streamed by the service worker); the download's SHA-256 must equal the
 * file's. Baselines in the same run, a bare page pair through a raw ws relay
 * (browser/bare-server.ts, bare-page.ts), each adding one layer the app has:
 *   bare-ws                 256 KiB messages from memory, window 16, acked by the relay
 *   bare-aes                + AES-256-GCM sealed by A, opened by B, per chunk
 *   bare-aes-read           + A reads the file in 4 MiB slabs read ahead, chunks cut as views
 *   bare-aes-read-save      + B assembles the chunks into one Blob (the baseline: everything
 *                             the app does, but holding the file in memory, which it must not)
 *   bare-aes-read-stream    bare-aes-read + B saves as a download streamed through a service
 *                             worker to disk (what the app does; SHA-256 checked)
 *
 *   npx tsx bench/browser.ts [--sizes 256m,1g] [--runs 3] [--variants bare-ws,...,sharethings]
 *
 * Measured without DevTools network tracking: Chromium is driven over raw
 * CDP with only Target, Runtime and Browser (see browser/chromium.ts).
 * MB/s = file bytes (10^6) / time from A's drop (bare: A's first send) to B
 * having all of it (the download complete; bare: received, opened, saved).
 * Every run gets fresh Chromiums and servers, so peak RSS (VmHWM) covers one
 * transfer: comparing sizes shows whether memory grows with the file. CPU
 * seconds are those used during the transfer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildClient, CLIENT_OUT_DIR } from '../client/build.ts';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW } from '../client/sdk/index.ts';
import { DEFAULT_MAX_HTTP_BUFFER_SIZE } from '../server/config.ts';
import { APP_PAGE_SCRIPT } from './browser/app-page.ts';
import { BARE_PAGE_SCRIPT } from './browser/bare-page.ts';
import { Chromium, type Page, type ProcessSample } from './browser/chromium.ts';
import { traceMemory } from './browser/memory-trace.ts';
import { traceGc } from './browser/gc-trace.ts';
import { traceTimeline } from './browser/timeline-trace.ts';
import { warmBareRelay, warmShareThings } from './browser/warm-up.ts';
import { benchMain, listValue, numberValue, pick, stringValue } from './lib/cli.ts';
import { formatNumber, formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV } from './lib/load.ts';
import { mainThreadProfile, profileClockUs, summariseProfileFile } from './lib/cpuprofile.ts';
import { RESULTS_DIR, makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf } from './lib/stats.ts';

const VARIANTS = ['bare-ws', 'bare-aes', 'bare-aes-read', 'bare-aes-read-save', 'bare-aes-read-stream', 'sharethings'] as const;
type Variant = (typeof VARIANTS)[number];
const BASELINE: Variant = 'bare-aes-read-save';
const BLOCK_BYTES = 4 * 1024 * 1024;
const SLAB_BYTES = 4 * 1024 * 1024;
const FILE_NAME = 'bench-input.bin';
/** What each run's server relays before the measured transfer (browser/warm-up.ts). */
const DEFAULT_WARM_UP = '32m';

const warmUpValue = (text: string) => (text.trim() === '0' ? 0 : parseSize(text));

interface Options {
  sizes: number[];
  runs: number;
  variants: Variant[];
  timeoutMs: number;
  /** The built client the server serves (another version's build, to compare); default dist/client. */
  clientDir: string | undefined;
  /** Write CPU profiles of A's and B's pages (app and bare runs) and print their top functions. */
  profile: boolean;
  /** Record a Chromium trace of each side's browser (app and bare runs), write it and print thread CPU and event counts. */
  trace: boolean;
  /** --cpu-prof the server (sharethings runs), print its top functions over the transfer and how B got the chunks. */
  serverProfile: boolean;
  /** Sample B's renderer RSS and the V8 heaps of B's page and service worker, and count B's GCs, during the save (sharethings runs). */
  memoryTrace: boolean;
  /** Bytes each run's server relays before the measured transfer (browser/warm-up.ts); 0: none. */
  warmUpBytes: number;
}

/** One run's figures: MB/s, and per process role the CPU seconds during the transfer and the peak RSS. */
interface RunResult {
  mbps: number;
  figures: Record<string, number>;
}

function hexOfRepeated(block: Buffer, total: number): string {
  const hash = createHash('sha256');
  for (let at = 0; at < total; at += block.length) hash.update(block.subarray(0, Math.min(block.length, total - at)));
  return hash.digest('hex');
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

async function until<T>(page: Page, expression: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await page.evaluate<T>(expression, 10_000);
      if (value) return value;
    } catch (error) {
      if (Date.now() > end) throw error; // the page may still be loading: its context changes
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CPU used between two samples and peak RSS, per role: the busiest renderer, the browser process, the rest summed. */
function roles(prefix: string, before: ProcessSample[], after: ProcessSample[]): Record<string, number> {
  const used = (p: ProcessSample) => p.cpuSeconds - (before.find((b) => b.pid === p.pid)?.cpuSeconds ?? 0);
  const renderers = after.filter((p) => p.type === 'renderer').sort((a, b) => used(b) - used(a));
  const renderer = renderers[0];
  const browser = after.find((p) => p.type === 'browser');
  const others = after.filter((p) => p !== renderer && p !== browser);
  return {
    [`${prefix}RendererCpuS`]: renderer ? used(renderer) : 0,
    [`${prefix}BrowserCpuS`]: browser ? used(browser) : 0,
    [`${prefix}OtherCpuS`]: others.reduce((sum, p) => sum + used(p), 0),
    [`${prefix}RendererPeakMiB`]: (renderer?.peakRssBytes ?? 0) / 2 ** 20,
    [`${prefix}BrowserPeakMiB`]: (browser?.peakRssBytes ?? 0) / 2 ** 20,
  };
}

async function withChromiums<T>(work: (a: Chromium, b: Chromium) => Promise<T>): Promise<T> {
  const launched: Chromium[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const chromium = await Chromium.launch();
      if (typeof chromium === 'string') throw new Error(`Chromium: ${chromium}`);
      launched.push(chromium);
    }
    return await work(launched[0]!, launched[1]!);
  } finally {
    await Promise.all(launched.map((c) => c.close()));
  }
}

/** Downloads of `chromium` go to `dir`; resolves with the file and the URL of the first one, once complete. */
async function nextDownload(chromium: Chromium, dir: string): Promise<() => Promise<{ file: string; name: string; url: string }>> {
  await chromium.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: dir, eventsEnabled: true });
  let begun: { guid: string; name: string; url: string } | undefined;
  const done = new Promise<{ file: string; name: string; url: string }>((resolve, reject) => {
    chromium.on('Browser.downloadWillBegin', (params) => {
      begun ??= { guid: params.guid as string, name: params.suggestedFilename as string, url: params.url as string };
    });
    chromium.on('Browser.downloadProgress', (params) => {
      const download = begun;
      if (!download || params.guid !== download.guid) return;
      if (params.state === 'completed') resolve({ file: path.join(dir, download.guid), name: download.name, url: download.url });
      else if (params.state === 'canceled') reject(new Error('the download was cancelled'));
    });
  });
  return () => done;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function bareRun(variant: Variant, size: number, block: Buffer, options: Options): Promise<RunResult> {
  const { timeoutMs } = options;
  const server = await startTsServer('bench/browser/bare-server.ts', { label: 'bare relay', options: { maxPayload: DEFAULT_MAX_HTTP_BUFFER_SIZE } });
  const downloads = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-downloads-'));
  try {
    if (options.warmUpBytes > 0) await warmBareRelay(server.port, options.warmUpBytes);
    return await withChromiums(async (chromiumA, chromiumB) => {
      const stream = variant === 'bare-aes-read-stream';
      const downloaded = stream ? await nextDownload(chromiumB, downloads) : undefined;
      const url = `http://127.0.0.1:${server.port}/`;
      const [a, b] = [await chromiumA.open(url), await chromiumB.open(url)];
      const key = JSON.stringify([...randomBytes(32)]);
      for (const page of [a, b]) {
        await until(page, 'typeof window.bare === "object"');
        await page.evaluate(`bare.connect().then(() => bare.key(${key}))`);
      }
      if (stream) await b.evaluate('bare.controlled()', 30_000);
      const read = variant === 'bare-aes-read' || variant === 'bare-aes-read-save' || stream;
      if (read) await a.evaluate(`makeInput(${JSON.stringify(block.toString('base64'))}, ${size})`);
      const aes = variant !== 'bare-ws';
      const save = variant === 'bare-aes-read-save';
      if (options.profile) for (const page of [a, b]) await page.send('Profiler.enable').then(() => page.send('Profiler.start'));
      const stopTraces = options.trace ? await startTraces(variant, size, { A: chromiumA, B: chromiumB }) : undefined;
      const before = [chromiumA.processes(), chromiumB.processes(), server.cpuSeconds() ?? 0] as const;
      const received = b.evaluate<number>(`bare.receive(${JSON.stringify({ total: size, aes, save, stream })})`, timeoutMs);
      const started = performance.now();
      const sent = a.evaluate(`bare.send(${JSON.stringify({ total: size, chunk: DEFAULT_CHUNK_SIZE, window: DEFAULT_WINDOW, aes, read, slab: SLAB_BYTES })})`, timeoutMs);
      const got = await received;
      const saved = downloaded ? await withTimeout(downloaded(), timeoutMs, 'the download') : undefined;
      const seconds = (performance.now() - started) / 1000;
      await sent;
      if (got !== size) throw new Error(`${variant}: received ${got} bytes of ${size}`);
      const figures = {
        ...roles('a', before[0], chromiumA.processes()),
        ...roles('b', before[1], chromiumB.processes()),
        serverCpuS: (server.cpuSeconds() ?? 0) - before[2],
      };
      // After the figures: stopping writes and summarises, which costs CPU too.
      if (options.profile) await writeProfiles({ [`${variant} A`]: a, [`${variant} B`]: b });
      if (stopTraces) await stopTraces();
      if (saved && (await fileSha256(saved.file)) !== hexOfRepeated(block, size)) throw new Error(`${variant}: the download differs (SHA-256)`);
      return { mbps: size / 1e6 / seconds, figures };
    });
  } finally {
    await server.stop();
    await rm(downloads, { recursive: true, force: true });
  }
}

async function appRun(size: number, block: Buffer, options: Options): Promise<RunResult> {
  const { timeoutMs, clientDir } = options;
  const env = { ...MANY_CLIENTS_ENV, ...(clientDir ? { CLIENT_DIR: clientDir } : {}) };
  const profileDir = options.serverProfile ? path.join(RESULTS_DIR, 'profiles', `browser-server-${formatSize(size)}-${Date.now()}`) : undefined;
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : undefined;
  const server: ServerHandle = await startShareThings({ label: 'sharethings', env, nodeArgs });
  /** The transfer on the profile's clock (µs), to summarise the server's profile over it alone. */
  const transferUs: [number, number] = [0, 0];
  const downloads = await mkdtemp(path.join(os.tmpdir(), 'sharethings-bench-downloads-'));
  let serverPeak: number | undefined;
  try {
    if (options.warmUpBytes > 0) await warmShareThings(server.url, options.warmUpBytes);
    const result = await withChromiums(async (chromiumA, chromiumB) => {
      const downloaded = await nextDownload(chromiumB, downloads);
      const [a, b] = [await chromiumA.open(server.url), await chromiumB.open(server.url)];
      for (const page of [a, b]) {
        await until(page, `customElements.get('share-app') !== undefined && document.readyState === 'complete'`);
        await page.evaluate(APP_PAGE_SCRIPT);
        await page.evaluate('bench.controlled()', 30_000); // B saves through the service worker
      }
      const credentials = await a.evaluate<{ sessionId: string; passphrase: string }>(`bench.create('A')`, 60_000);
      await b.evaluate(`bench.join(${JSON.stringify(credentials)}, 'B')`, 60_000);
      await a.evaluate(`makeInput(${JSON.stringify(block.toString('base64'))}, ${size})`);
      if (options.profile) for (const page of [a, b]) await page.send('Profiler.enable').then(() => page.send('Profiler.start'));
      const fetchedBefore = (await serverMetrics(server))('sharethings_requests_total', 'event="fetch-chunk"');
      const before = [chromiumA.processes(), chromiumB.processes(), server.cpuSeconds() ?? 0] as const;
      const stopTrace = options.memoryTrace ? await traceMemory(chromiumB, b, before[1]) : undefined;
      const stopGc = options.memoryTrace ? await traceGc(chromiumB) : undefined;
      const stopTraces = options.trace ? await startTraces('sharethings', size, { A: chromiumA, B: chromiumB }) : undefined;
      const started = performance.now();
      transferUs[0] = profileClockUs();
      await a.evaluate('bench.drop()');
      await b.evaluate(`bench.save(${JSON.stringify(FILE_NAME)})`, 60_000);
      const saved = await withTimeout(downloaded(), timeoutMs, 'the download');
      const seconds = (performance.now() - started) / 1000;
      transferUs[1] = profileClockUs();
      if (stopTrace) process.stderr.write(`\n${stopTrace()}\n`);
      if (stopGc) process.stderr.write(`${await stopGc()}\n`);
      if (options.profile) await writeProfiles({ A: a, B: b });
      const figures = {
        ...roles('a', before[0], chromiumA.processes()),
        ...roles('b', before[1], chromiumB.processes()),
        serverCpuS: (server.cpuSeconds() ?? 0) - before[2],
        // 1: the download streamed through the service worker; 0: a Blob of the whole file (older clients).
        streamedSave: saved.url.includes('/stream-download/') ? 1 : 0,
      };
      // After the figures: rendering /metrics and ending a trace cost CPU too.
      // Chunks B asked for rather than had pushed (held back while it was behind, or dropped from its full buffer).
      const fetched = (await serverMetrics(server))('sharethings_requests_total', 'event="fetch-chunk"') - fetchedBefore;
      if (stopTraces) await stopTraces();
      if (profileDir) process.stderr.write(`\nserver: ${await serverCounts(server)}\n`);
      if (saved.name !== FILE_NAME) throw new Error(`the download was named ${saved.name}`);
      if ((await fileSha256(saved.file)) !== hexOfRepeated(block, size)) throw new Error('the saved file differs from the shared one (SHA-256)');
      return { mbps: size / 1e6 / seconds, figures: { ...figures, fetchedChunks: fetched } };
    });
    serverPeak = (await server.stop()).peakRssBytes;
    const serverProfile = profileDir && (await mainThreadProfile(profileDir));
    if (serverProfile) {
      process.stderr.write(`\nserver, the transfer only (${path.relative(process.cwd(), serverProfile)}):\n${await summariseProfileFile(serverProfile, { top: 25, windows: [transferUs] })}\n`);
    }
    return { ...result, figures: { ...result.figures, serverPeakMiB: (serverPeak ?? 0) / 2 ** 20 } };
  } finally {
    if (serverPeak === undefined) await server.stop();
    await rm(downloads, { recursive: true, force: true });
  }
}

/** Starts a trace of each side's Chromium; the returned function stops them, writes them and prints their summaries. */
async function startTraces(variant: Variant, size: number, sides: Record<string, Chromium>): Promise<() => Promise<void>> {
  const dir = path.join(RESULTS_DIR, 'traces');
  await mkdir(dir, { recursive: true });
  const stamp = Date.now();
  const stops = await Promise.all(Object.entries(sides).map(async ([name, chromium]) => {
    const file = path.join(dir, `browser-${variant}-${formatSize(size).replace(' ', '')}-${name}-${stamp}.json`);
    const stop = await traceTimeline(chromium, `${variant} ${name}`, file);
    return async () => process.stderr.write(`\n${await stop(chromium.processes())}\n(${path.relative(process.cwd(), file)})\n`);
  }));
  return async () => {
    for (const stop of stops) await stop();
  };
}

/** Stops the pages' profilers, writes the profiles to bench/results/profiles/ and prints each one's top functions. */
async function writeProfiles(pages: Record<string, Page>): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'profiles');
  await mkdir(dir, { recursive: true });
  for (const [name, page] of Object.entries(pages)) {
    const { profile } = await page.send<{ profile: object }>('Profiler.stop');
    const file = path.join(dir, `browser-${name.replace(' ', '-')}-${Date.now()}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    process.stderr.write(`\n${name}'s page (${path.relative(process.cwd(), file)}):\n${await summariseProfileFile(file, { top: 25 })}\n`);
  }
}

/** The server's /metrics, to read figures from: `metric` with a label matching `label`, 0 if absent. */
async function serverMetrics(server: ServerHandle): Promise<(metric: string, label?: string) => number> {
  const response = await fetch(`${server.url}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  return (metric, label = '') => {
    const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(label));
    return Number(line?.split(' ').at(-1) ?? 0);
  };
}

/**
 * From the server's /metrics: how B got the chunks, pushed (`chunk` requests relayed) or fetched
 * (`fetch-chunk`), and the server's garbage collections since it started, by kind.
 */
async function serverCounts(server: ServerHandle): Promise<string> {
  const figure = await serverMetrics(server);
  const requests = (event: string) => `${event} ${figure('sharethings_requests_total', `event="${event}"`)}`;
  const gc = (kind: string) => {
    const seconds = figure('sharethings_nodejs_gc_duration_seconds_sum', `kind="${kind}"`);
    return `${figure('sharethings_nodejs_gc_duration_seconds_count', `kind="${kind}"`)} ${kind} (${formatNumber(seconds)} s)`;
  };
  return [
    `requests ${[requests('chunk'), requests('fetch-chunk'), requests('batch')].join(', ')}; deferred ${figure('sharethings_chunks_deferred_total')}`,
    `GC ${[gc('major'), gc('minor'), gc('incremental')].join(', ')}`,
  ].join('; ');
}

function detailText(figures: Record<string, number | null>): string {
  const f = (name: string) => formatNumber(figures[name] ?? null);
  return [
    `cpu s A ${f('aRendererCpuS')}r/${f('aBrowserCpuS')}b/${f('aOtherCpuS')}o`,
    `B ${f('bRendererCpuS')}r/${f('bBrowserCpuS')}b/${f('bOtherCpuS')}o`,
    `server ${f('serverCpuS')}`,
    `peak MiB A ${f('aRendererPeakMiB')}r/${f('aBrowserPeakMiB')}b`,
    `B ${f('bRendererPeakMiB')}r/${f('bBrowserPeakMiB')}b`,
    ...(figures.serverPeakMiB != null ? [`server ${f('serverPeakMiB')}`] : []),
    ...(figures.streamedSave != null ? [figures.streamedSave === 1 ? 'saved streamed' : 'saved as Blob'] : []),
    ...(figures.fetchedChunks != null ? [`B's fetch-chunk requests ${Math.round(figures.fetchedChunks)}`] : []),
  ].join(', ');
}

await benchMain<Options>({
  name: 'browser',
  title: 'Browser to browser: two Chromiums through the app vs a bare page pair (no DevTools network tracking)',
  usage: `npx tsx bench/browser.ts [--sizes 256m,1g] [--runs 3] [--variants ${VARIANTS.join(',')}]
  --sizes      file sizes (default 256m; smoke 4m)
  --runs       runs per size and variant, medians reported (default 3; smoke 1)
  --variants   which to run (the baseline ${BASELINE} always runs)
  --timeout    seconds per transfer (default 600)
  --profile    CPU profiles of both pages, app and bare (bench/results/profiles/), top functions printed
  --trace      a Chromium trace of both sides, app and bare (bench/results/traces/; timeline, V8, Blink,
               tasks, mojom; no Network domain): thread CPU per process and thread, events counted
  --server-profile  --cpu-prof the server (bench/results/profiles/), its top functions over the transfer
               printed, with how many chunks B was pushed and fetched and the server's GCs
  --memory-trace  B's renderer during the save (sharethings runs): RSS and the V8 heaps of its page and
               service worker sampled (peaks and course printed), garbage collections per thread
  --client-dir a built client for the server to serve instead of dist/client (e.g. an older version's, to compare)
  --warm-up    bytes each run's server relays first, between two Node clients, as a server in use has
               (default ${DEFAULT_WARM_UP}; smoke and 0: a fresh server)`,
  options: { sizes: { type: 'string' }, runs: { type: 'string' }, variants: { type: 'string' }, timeout: { type: 'string' }, 'client-dir': { type: 'string' }, profile: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false }, 'server-profile': { type: 'boolean', default: false }, 'memory-trace': { type: 'boolean', default: false }, 'warm-up': { type: 'string' } },
  parse(values, smoke) {
    const variants = pick(listValue(values, 'variants') ?? [...VARIANTS], VARIANTS, 'variants');
    // Each records a trace of B's browser, and Chromium runs one trace at a time.
    if (values.trace === true && values['memory-trace'] === true) throw new Error('--trace and --memory-trace cannot be used together');
    return {
      sizes: (listValue(values, 'sizes') ?? [smoke ? '4m' : '256m']).map(parseSize),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, Number.isInteger),
      variants: variants.includes(BASELINE) ? variants : [BASELINE, ...variants],
      timeoutMs: numberValue(values, 'timeout', 600) * 1000,
      clientDir: stringValue(values, 'client-dir'),
      profile: values.profile === true,
      trace: values.trace === true,
      serverProfile: values['server-profile'] === true,
      memoryTrace: values['memory-trace'] === true,
      warmUpBytes: warmUpValue(stringValue(values, 'warm-up') ?? (smoke ? '0' : DEFAULT_WARM_UP)),
    };
  },
  async run(options, { log }) {
    if (!existsSync(path.join(CLIENT_OUT_DIR, 'sw.js'))) await buildClient();
    const block = randomBytes(BLOCK_BYTES);
    const rows: BenchRow[] = [];
    for (const size of options.sizes) {
      const kase = formatSize(size);
      const results = new Map<Variant, RunResult[]>(options.variants.map((v) => [v, []]));
      // Variants interleaved run by run, so a change in the machine's load touches all of them alike.
      for (let run = 0; run < options.runs; run++) {
        for (const variant of options.variants) {
          const result = variant === 'sharethings' ? await appRun(size, block, options) : await bareRun(variant, size, block, options);
          log(`${kase} ${variant} run ${run + 1}: ${formatNumber(result.mbps)} MB/s  ${detailText(result.figures)}`);
          results.get(variant)!.push(result);
        }
      }
      for (const [variant, runs] of results) {
        const names = Object.keys(runs[0]!.figures);
        const details = Object.fromEntries(names.map((name) => [name, medianOf(runs.map((r) => r.figures[name])) ?? null]));
        rows.push(makeRow({ case: kase, variant, unit: 'MB/s', runs: runs.map((r) => r.mbps), baseline: variant === BASELINE, details, detailText: detailText(details) }));
      }
    }
    return {
      options: { ...options, chunk: DEFAULT_CHUNK_SIZE, window: DEFAULT_WINDOW, slab: SLAB_BYTES },
      baselineVariant: BASELINE,
      variants: options.variants,
      cases: options.sizes.map(formatSize),
      rows,
      notes: [
        'Two headless Debian Chromiums over raw CDP (Target/Runtime/Browser only, no Network domain); fresh browsers and servers per run.',
        options.warmUpBytes > 0
          ? `Each run's server first relays ${formatSize(options.warmUpBytes)} between two Node clients (a server in use has compiled its hot paths); the pages are fresh.`
          : 'Fresh servers, not warmed up (--warm-up 0).',
        `cpu s: CPU seconds during the transfer of A's and B's busiest renderer (r), browser process (b) and other processes (o); peak MiB: VmHWM of the same renderer and browser process.`,
        'sharethings: A drops the file on the app, B presses Save (a download streamed through the service worker); SHA-256 of the download checked.',
      ],
    };
  },
});
