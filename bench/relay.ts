/**
 * Chunk relay throughput: one sender to one receiver through a server, the
 * three in separate processes, for each chunk size and each server variant
 * (see relay/common.ts), all in the same run. The raw ws relay is the
 * baseline every other variant is compared with; the raw ws relay that also
 * appends each chunk to a file (ws-file) is the second one, for a relay that
 * stores everything (its ratio is in each row's details, `vsWsFile`).
 *
 *   npx tsx bench/relay.ts [--sizes 64k,256k,1m] [--total 256m] [--runs 3] [--window 16]
 *                          [--variants ws-raw,ws-file,sio-default,sio-msgpack,sio-ours,sharethings] (sio-ours-copy on demand)
 *                          [--limits lifted|shipped] [--no-warmup] [--profile sio-ours,sharethings] [--profile-roles server,sender,receiver]
 *
 * MB/s = payload bytes (10^6) / time from the sender's first send to the
 * receiver's last receive. Each (size, variant) server is one process for all
 * its runs; runs are interleaved across variants (the order rotates) so that
 * noise on a shared machine spreads over every variant.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_HTTP_BUFFER_SIZE } from '../server/config.ts';
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { mainThreadProfile, summariseProfileFile } from './lib/cpuprofile.ts';
import { formatNumber, formatSize, parseSize } from './lib/format.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { RESULTS_DIR, makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { bufferutilInfo, machineBusySeconds } from './lib/sysinfo.ts';
import {
  LIFTED_LIMITS_ENV,
  DEFAULT_RELAY_VARIANTS,
  RELAY_VARIANTS,
  type ReceiverResult,
  type RelayClientOptions,
  type RelayServerOptions,
  type RelayVariant,
  type SenderResult,
} from './relay/common.ts';

type Role = 'server' | 'sender' | 'receiver';
const ROLES: readonly Role[] = ['server', 'sender', 'receiver'];

export interface RelayOptions {
  sizes: number[];
  totalBytes: number;
  runs: number;
  window: number;
  variants: RelayVariant[];
  warmup: boolean;
  /** Bound on one transfer (each process also bounds itself). */
  timeoutMs: number;
  /** ShareThings' per-connection rate limits: lifted (default) or as shipped. */
  limits: 'lifted' | 'shipped';
  /** CPU time the receiver burns per chunk (µs), to make it the slow one; 0 by default. */
  receiverWorkUs: number;
  /** CPU time the sender burns per chunk (µs), to make it the slow one (a browser's pace); 0 by default. */
  senderWorkUs: number;
  /** Extra environment for the ShareThings server (e.g. STORE_FSYNC=true). */
  sharethingsEnv: Record<string, string>;
  profile: RelayVariant[];
  profileRoles: Role[];
  profileDir: string;
}

interface Measurement {
  /** The transfer, CLOCK_MONOTONIC microseconds (to cut CPU profiles to it). */
  windowUs: [number, number];
  seconds: number;
  mbPerSecond: number;
  messagesPerSecond: number;
  senderCpu: number;
  receiverCpu: number;
  serverCpu: number | undefined;
  senderPeakRss: number;
  receiverPeakRss: number;
  /** Cores used by everything else on the machine meanwhile (other jobs, this orchestrator). */
  otherCpu: number | undefined;
  rateLimited: number;
  fetched: number;
}

const MIB = 1024 ** 2;

/**
 * --cpu-prof writes one profile per thread (tsx's loader hooks run in a worker
 * thread), so each profiled process gets its own directory; mainThreadProfile()
 * picks the main thread's file from it.
 */
function profileArgs(opts: RelayOptions, variant: RelayVariant, role: Role, name: string): string[] {
  if (!opts.profile.includes(variant) || !opts.profileRoles.includes(role)) return [];
  return ['--cpu-prof', '--cpu-prof-dir', path.join(opts.profileDir, name)];
}

async function startServer(opts: RelayOptions, variant: RelayVariant, size: number): Promise<ServerHandle> {
  const label = `${variant} server (${formatSize(size)})`;
  const nodeArgs = profileArgs(opts, variant, 'server', `relay-${variant}-${size}-server`);
  if (variant === 'sharethings') {
    return startShareThings({ label, nodeArgs, env: { ...(opts.limits === 'lifted' ? LIFTED_LIMITS_ENV : {}), ...opts.sharethingsEnv } });
  }
  const options: RelayServerOptions = { variant, maxPayload: DEFAULT_MAX_HTTP_BUFFER_SIZE };
  return startTsServer('bench/relay/server.ts', { label, options, nodeArgs });
}

let runCounter = 0;

async function transfer(opts: RelayOptions, server: ServerHandle, variant: RelayVariant, size: number, messages: number): Promise<Measurement> {
  const run = ++runCounter;
  const common = {
    variant,
    url: server.url,
    room: `bench-${randomUUID()}`,
    chunkSize: size,
    messages,
    window: opts.window,
    timeoutMs: opts.timeoutMs,
    receiverWorkUs: opts.receiverWorkUs,
    senderWorkUs: opts.senderWorkUs,
  };
  const clients: TsChild[] = [];
  try {
    for (const role of ['receiver', 'sender'] as const) {
      const options: RelayClientOptions = { ...common, role };
      clients.push(spawnTs('bench/relay/client.ts', {
        label: `${variant} ${role}`,
        options,
        nodeArgs: profileArgs(opts, variant, role, `relay-${variant}-${size}-${role}-${run}`),
      }));
    }
    const [receiver, sender] = clients as [TsChild, TsChild];
    await Promise.all([receiver.ready(), sender.ready()]);
    const serverCpuStart = server.cpuSeconds();
    const busyStart = machineBusySeconds();
    const wallStart = performance.now();
    sender.send('go');
    const [sent, received] = await Promise.all([
      sender.result<SenderResult>(opts.timeoutMs + 5_000),
      receiver.result<ReceiverResult>(opts.timeoutMs + 5_000),
    ]);
    const serverCpuEnd = server.cpuSeconds();
    const busyEnd = machineBusySeconds();
    const wallSeconds = (performance.now() - wallStart) / 1000;
    await Promise.all(clients.map((client) => client.exited));
    if (received.messages !== messages || received.bytes !== messages * size) {
      throw new Error(`${variant}: received ${received.messages} messages / ${received.bytes} bytes, expected ${messages} / ${messages * size}`);
    }
    const seconds = (received.lastReceiveNs - sent.firstSendNs) / 1e9;
    if (!(seconds > 0)) throw new Error(`${variant}: non-positive duration ${seconds}`);
    const serverCpu = serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined;
    const otherCpu = busyStart !== undefined && busyEnd !== undefined && serverCpu !== undefined
      ? Math.max(0, busyEnd - busyStart - serverCpu - sent.cpuSeconds - received.cpuSeconds) / wallSeconds
      : undefined;
    return {
      windowUs: [sent.firstSendNs / 1000, received.lastReceiveNs / 1000],
      seconds,
      mbPerSecond: received.bytes / seconds / 1e6,
      messagesPerSecond: received.messages / seconds,
      senderCpu: sent.cpuSeconds / seconds,
      receiverCpu: received.cpuSeconds / seconds,
      serverCpu: serverCpu === undefined ? undefined : serverCpu / seconds,
      senderPeakRss: sent.peakRssBytes,
      receiverPeakRss: received.peakRssBytes,
      otherCpu,
      rateLimited: sent.rateLimited,
      fetched: received.fetched,
    };
  } finally {
    await stopAll(clients, 2_000);
  }
}

async function run(opts: RelayOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const buffers = bufferutilInfo();
  if (!buffers.native) notes.push('bufferutil native addon NOT loaded: ws masks in JavaScript');
  if (opts.profile.length > 0) await mkdir(opts.profileDir, { recursive: true });
  const profiles: Array<{ file: string; windows: Array<[number, number]> }> = [];

  for (const size of opts.sizes) {
    const messages = Math.max(1, Math.round(opts.totalBytes / size));
    const sizeLabel = formatSize(size);
    log(`relay ${sizeLabel}: ${messages} messages (${formatSize(messages * size)}) x ${opts.runs} runs, variants ${opts.variants.join(', ')}`);
    const servers = new Map<RelayVariant, ServerHandle>();
    const measured = new Map<RelayVariant, Measurement[]>(opts.variants.map((variant) => [variant, []]));
    let stopped: Map<RelayVariant, { peakRssBytes: number | undefined }> = new Map();
    try {
      await Promise.all(opts.variants.map(async (variant) => servers.set(variant, await startServer(opts, variant, size))));
      // A failed transfer is retried once (on a restarted server if it died), and noted;
      // a second failure ends the benchmark with the server's state and stderr.
      const measure = async (variant: RelayVariant, count: number): Promise<Measurement> => {
        for (let attempt = 1; ; attempt++) {
          const server = servers.get(variant)!;
          try {
            return await transfer(opts, server, variant, size, count);
          } catch (error) {
            const exit = server.child.running ? undefined : await server.child.exited;
            const state = exit ? `exited (${exit.signal ?? exit.code})` : 'still running';
            const stderr = server.child.stderr.trim().split('\n').slice(-10).join('\n');
            const detail = `${(error as Error).message}\n${server.label} ${state}${stderr ? `; its stderr ends:\n${stderr}` : ''}`;
            if (attempt >= 2) throw new Error(detail);
            log(`  ${variant}: transfer failed, retrying once: ${detail}`);
            notes.push(`${sizeLabel} ${variant}: a transfer failed and was retried: ${(error as Error).message.split('\n')[0]} (server ${state})`);
            if (!server.child.running) {
              await server.stop(); // cleans up after it
              servers.set(variant, await startServer(opts, variant, size));
            }
          }
        }
      };
      if (opts.warmup) {
        const warmupMessages = Math.max(1, Math.round(Math.min(opts.totalBytes / 8, 32 * MIB) / size));
        for (const variant of opts.variants) await measure(variant, warmupMessages);
      }
      for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
        for (const variant of rotate(opts.variants, runIndex)) {
          const m = await measure(variant, messages);
          measured.get(variant)!.push(m);
          log(`  ${sizeLabel} run ${runIndex + 1}/${opts.runs} ${variant.padEnd(12)} ${formatNumber(m.mbPerSecond).padStart(6)} MB/s  ` +
            `${formatNumber(m.messagesPerSecond)} msg/s  cpu snd ${m.senderCpu.toFixed(2)} srv ${m.serverCpu?.toFixed(2) ?? '?'} rcv ${m.receiverCpu.toFixed(2)} other ${m.otherCpu?.toFixed(2) ?? '?'}`);
        }
      }
    } finally {
      stopped = new Map(await Promise.all([...servers].map(async ([variant, server]) => [variant, await server.stop()] as const)));
    }
    for (const variant of opts.variants) {
      const list = measured.get(variant)!;
      const serverPeak = stopped.get(variant)?.peakRssBytes;
      const details = {
        messagesPerSecond: medianOf(list.map((m) => m.messagesPerSecond)) ?? null,
        senderCpu: medianOf(list.map((m) => m.senderCpu)) ?? null,
        serverCpu: medianOf(list.map((m) => m.serverCpu)) ?? null,
        receiverCpu: medianOf(list.map((m) => m.receiverCpu)) ?? null,
        otherCpu: medianOf(list.map((m) => m.otherCpu)) ?? null,
        serverPeakRssMiB: serverPeak === undefined ? null : serverPeak / MIB,
        senderPeakRssMiB: (medianOf(list.map((m) => m.senderPeakRss)) ?? NaN) / MIB,
        receiverPeakRssMiB: (medianOf(list.map((m) => m.receiverPeakRss)) ?? NaN) / MIB,
        seconds: medianOf(list.map((m) => m.seconds)) ?? null,
        rateLimited: medianOf(list.map((m) => m.rateLimited)) ?? null,
        fetched: medianOf(list.map((m) => m.fetched)) ?? null,
      };
      const cpu = (value: number | null) => (value === null ? '?' : value.toFixed(2));
      rows.push(makeRow({
        case: sizeLabel,
        variant,
        unit: 'MB/s',
        runs: list.map((m) => m.mbPerSecond),
        baseline: variant === 'ws-raw',
        details,
        detailText: `${formatNumber(details.messagesPerSecond)} msg/s; cpu snd/srv/rcv ${cpu(details.senderCpu)}/${cpu(details.serverCpu)}/${cpu(details.receiverCpu)} other ${cpu(details.otherCpu)}; ` +
          `srv peak ${details.serverPeakRssMiB === null ? '?' : details.serverPeakRssMiB.toFixed(0)} MiB` +
          (details.rateLimited ? `; ${details.rateLimited} chunks RATE_LIMITED and resent` : '') +
          (details.fetched ? `; ${details.fetched} chunks fetched (slow receiver)` : ''),
      }));
    }
    // The second baseline: a raw relay that also stores every chunk (ws-file); its ratio in the details.
    const storing = rows.find((row) => row.case === sizeLabel && row.variant === 'ws-file');
    if (storing && storing.median > 0) {
      for (const row of rows) {
        if (row.case !== sizeLabel || row.variant === 'ws-raw' || row.variant === 'ws-file') continue;
        row.details.vsWsFile = row.median / storing.median;
        row.detailText = `${(row.median / storing.median).toFixed(2)}x of ws-file; ${row.detailText}`;
      }
    }
    for (const variant of opts.profile) {
      if (!opts.variants.includes(variant) || !opts.profileRoles.includes('server')) continue;
      const file = await mainThreadProfile(path.join(opts.profileDir, `relay-${variant}-${size}-server`));
      if (file) profiles.push({ file, windows: measured.get(variant)!.map((m) => m.windowUs) });
      else log(`no main-thread profile for ${variant} ${sizeLabel}`);
    }
  }

  for (const { file, windows } of profiles) {
    try {
      log(`\nCPU profile ${path.relative(process.cwd(), file)}, the ${windows.length} measured transfer(s) only\n` +
        `${await summariseProfileFile(file, { top: 25, windows })}`);
      notes.push(`server CPU profile: ${path.relative(process.cwd(), file)}`);
    } catch (error) {
      log(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (!opts.variants.includes('ws-raw')) notes.push('ws-raw not run: no baseline, no ratios');
  if (opts.variants.includes('ws-file')) {
    notes.push('ws-file = the raw ws relay that also appends each chunk to a file (batched writev, no fsync, like the disk store) and acks once written: the ceiling for a relay that stores everything; "Nx of ws-file" in the details');
  }
  if (opts.receiverWorkUs > 0) notes.push(`slow receiver: ${opts.receiverWorkUs} µs of CPU per chunk`);
  if (opts.senderWorkUs > 0) notes.push(`slow sender: ${opts.senderWorkUs} µs of CPU per chunk`);
  if (opts.variants.includes('sharethings')) {
    if (Object.keys(opts.sharethingsEnv).length > 0) {
      notes.push(`sharethings server environment: ${Object.entries(opts.sharethingsEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    notes.push(opts.limits === 'lifted'
      ? `sharethings: per-connection rate limits lifted (${Object.entries(LIFTED_LIMITS_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}) to measure the relay; --limits shipped keeps the defaults`
      : 'sharethings: shipped per-connection rate limits; RATE_LIMITED chunks are resent after retryAfterMs');
  }
  notes.push('cpu = CPU seconds per wall second of the transfer (1.00 = one full core) of sender/server/receiver; other = cores busy with anything else meanwhile (other jobs on the machine); srv peak = server VmHWM over warm-up and all runs of that size');
  return {
    options: { ...opts, sizes: opts.sizes.map(formatSize), totalBytes: formatSize(opts.totalBytes), bufferutil: buffers },
    baselineVariant: 'ws-raw',
    variants: [...opts.variants],
    cases: opts.sizes.map(formatSize),
    rows,
    notes,
  };
}

await benchMain<RelayOptions>({
  name: 'relay',
  title: 'Chunk relay throughput, 1 sender -> server -> 1 receiver (3 processes), window 16',
  usage: `npx tsx bench/relay.ts [flags]
  --sizes LIST       chunk sizes (default 64k,256k,1m; smoke 64k,1m)
  --total SIZE       payload bytes per run (default 256m; smoke 4m)
  --runs N           runs per variant and size, median reported (default 3; smoke 1)
  --window N         messages in flight (default 16)
  --variants LIST    of ${RELAY_VARIANTS.join(',')} (default ${DEFAULT_RELAY_VARIANTS.join(',')})
  --no-warmup        skip the warm-up transfer of each server (default on, off in smoke)
  --timeout SECONDS  bound on one transfer (default 120; smoke 20)
  --limits L         ShareThings' per-connection rate limits: lifted (default; measures the relay) or shipped
  --sharethings-env  KEY=VALUE,... extra environment for the ShareThings server (e.g. STORE_FSYNC=true)
  --receiver-work-us N  CPU time the receiver burns per chunk, to make it the slow one (default 0)
  --sender-work-us N    CPU time the sender burns per chunk, to make it the slow one like a browser (default 0)
  --profile LIST     write --cpu-prof profiles for these variants and summarise them
  --profile-roles L  which processes to profile: server,sender,receiver (default server)
  --profile-dir DIR  (default bench/results/profiles)`,
  options: {
    sizes: { type: 'string' },
    total: { type: 'string' },
    runs: { type: 'string' },
    window: { type: 'string' },
    variants: { type: 'string' },
    'no-warmup': { type: 'boolean', default: false },
    timeout: { type: 'string' },
    limits: { type: 'string' },
    'sharethings-env': { type: 'string' },
    'receiver-work-us': { type: 'string' },
    'sender-work-us': { type: 'string' },
    profile: { type: 'string' },
    'profile-roles': { type: 'string' },
    'profile-dir': { type: 'string' },
  },
  parse(values, smoke) {
    const sizes = (listValue(values, 'sizes') ?? (smoke ? ['64k', '1m'] : ['64k', '256k', '1m'])).map(parseSize);
    return {
      sizes,
      totalBytes: parseSize(stringValue(values, 'total') ?? (smoke ? '4m' : '256m')),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => Number.isInteger(n) && n >= 1 && n <= 50),
      window: numberValue(values, 'window', 16, (n) => Number.isInteger(n) && n >= 1 && n <= 1024),
      variants: pick(listValue(values, 'variants') ?? [...DEFAULT_RELAY_VARIANTS], RELAY_VARIANTS, 'variants'),
      warmup: !smoke && values['no-warmup'] !== true,
      timeoutMs: numberValue(values, 'timeout', smoke ? 20 : 120, (n) => n > 0 && n <= 3600) * 1000,
      limits: pick([stringValue(values, 'limits') ?? 'lifted'], ['lifted', 'shipped'] as const, 'limits')[0]!,
      receiverWorkUs: numberValue(values, 'receiver-work-us', 0, (n) => n >= 0 && n <= 1_000_000),
      senderWorkUs: numberValue(values, 'sender-work-us', 0, (n) => n >= 0 && n <= 1_000_000),
      sharethingsEnv: Object.fromEntries((listValue(values, 'sharethings-env') ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`--sharethings-env: expected KEY=VALUE, got "${pair}"`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      })),
      profile: pick(listValue(values, 'profile') ?? [], RELAY_VARIANTS, 'profile'),
      profileRoles: pick(listValue(values, 'profile-roles') ?? ['server'], ROLES, 'profile-roles'),
      profileDir: path.resolve(stringValue(values, 'profile-dir') ?? path.join(RESULTS_DIR, 'profiles')),
    };
  },
  run,
});
