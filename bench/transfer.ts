/**
 * End-to-end encrypted file transfer through the SDK: a ShareClient sender
 * shares one file (pseudo-random bytes streamed from a generator, never held
 * whole) and a ShareClient receiver in another process reads it with
 * item.stream(), hashing as it goes; the server is a third process. The
 * SHA-256 of both ends must match. Baselines, in the same run: the raw `ws`
 * relay of relay.ts (relay/server.ts + relay/client.ts, variant ws-raw) moving
 * the same bytes at the same chunk size and window: the ceiling; and that
 * relay doing the SDK path's essential work (ws-file-gcm, see VARIANTS).
 *
 *   npx tsx bench/transfer.ts [--sizes 256m,1g] [--chunk 256k] [--sweep-size 256m] [--sweep-chunks 64k,1m]
 *                             [--runs 3] [--window 16] [--variants ws-raw,ws-file-gcm,sdk]
 *
 * Every run gets fresh processes (server, sender, receiver), so each peak RSS
 * (VmHWM) covers exactly one transfer of one size: comparing sizes shows
 * whether memory grows with the file. MB/s = file bytes (10^6) / time from the
 * sender calling shareFile() (ws-raw: first send) to the receiver reading the
 * last chunk.
 *
 * Started by run-all.ts (--child) without --sizes, it runs smaller defaults
 * (64m,256m; sweep at 64m), said so in the report's notes; `make bench` stays
 * a few minutes. Run it alone for the 1 GiB figures.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_HTTP_BUFFER_SIZE } from '../server/config.ts';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW } from '../client/sdk/index.ts';
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatNumber, formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV } from './lib/load.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { mainThreadProfile, summariseProfileFile } from './lib/cpuprofile.ts';
import { RESULTS_DIR, makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { bufferutilInfo, machineBusySeconds } from './lib/sysinfo.ts';
import type { ReceiverResult, RelayClientOptions, RelayServerOptions, SenderResult } from './relay/common.ts';
import type { TransferPeerOptions, TransferReceiverResult, TransferSenderResult } from './transfer/common.ts';

/**
 * ws-raw: relay.ts's raw ws relay, the plain ceiling; ws-file-gcm: the same
 * relay also appending every chunk to a file before its ack (relay ws-file),
 * with AES-256-GCM sealing and opening at the ends and the same input and
 * hashing as the SDK peers (relay client endToEnd): the essential work of the
 * SDK path, done with node:crypto and nothing else.
 */
const VARIANTS = ['ws-raw', 'ws-file-gcm', 'sdk'] as const;
type Variant = (typeof VARIANTS)[number];

interface TransferOptions {
  sizes: number[];
  chunk: number;
  sweepSize: number;
  sweepChunks: number[];
  runs: number;
  window: number;
  variants: Variant[];
  timeoutMs: number;
  /** Started by run-all.ts with the default sizes: the smaller profile. */
  runAllProfile: boolean;
  /** --cpu-prof the SDK variant's processes and summarise their main threads over the transfer. */
  profile: boolean;
  profileDir: string;
}

interface Case {
  label: string;
  size: number;
  chunk: number;
}

interface Measurement {
  seconds: number;
  mbPerSecond: number;
  senderPeakRss: number;
  receiverPeakRss: number;
  serverPeakRss: number | undefined;
  senderCpu: number;
  serverCpu: number | undefined;
  receiverCpu: number;
  otherCpu: number | undefined;
  /** SDK only: seconds of the sender's input generation + hashing, and the receiver's hashing. */
  inputSeconds?: number;
  hashSeconds?: number;
  /** SDK only: time from shareFile() to the first chunk read at the receiver. */
  firstChunkMs?: number;
}

const MIB = 1024 ** 2;
const PROFILE_ROLES = ['server', 'sender', 'receiver'] as const;
let profileCounter = 0;
/** Profiles to summarise at the end: file directory per role, and the transfer's window (µs, CLOCK_MONOTONIC). */
const profiles: Array<{ kase: string; role: string; dir: string; window: [number, number] }> = [];

function profileArgs(opts: TransferOptions, dir: string): string[] {
  return opts.profile ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

function cases(opts: TransferOptions): Case[] {
  const list: Case[] = [];
  const add = (size: number, chunk: number) => {
    if (!list.some((c) => c.size === size && c.chunk === chunk)) list.push({ label: `${formatSize(size)} @ ${formatSize(chunk)}`, size, chunk });
  };
  for (const size of opts.sizes) add(size, opts.chunk);
  for (const chunk of [...opts.sweepChunks, opts.chunk].sort((a, b) => a - b)) add(opts.sweepSize, chunk);
  return list;
}

async function withClients<T>(children: TsChild[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await stopAll(children, 2_000);
  }
}

/** CPU use over the transfer (cores) of the server, and of everything else on the machine. */
function cpuFigures(server: ServerHandle, serverCpuStart: number | undefined, busyStart: number | undefined, wallStart: number, clientCpu: number) {
  const serverCpuEnd = server.cpuSeconds();
  const busyEnd = machineBusySeconds();
  const wall = (performance.now() - wallStart) / 1000;
  const serverCpu = serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined;
  const otherCpu = busyStart !== undefined && busyEnd !== undefined && serverCpu !== undefined
    ? Math.max(0, busyEnd - busyStart - serverCpu - clientCpu) / wall
    : undefined;
  return { serverCpu, otherCpu };
}

async function runSdk(opts: TransferOptions, kase: Case): Promise<Measurement> {
  const profileRun = ++profileCounter;
  const dirs = Object.fromEntries(PROFILE_ROLES.map((role) => [role, path.join(opts.profileDir, `transfer-${kase.size}-${kase.chunk}-${profileRun}-${role}`)]));
  const server = await startShareThings({ label: `sharethings (${kase.label})`, env: MANY_CLIENTS_ENV, nodeArgs: profileArgs(opts, dirs.server!) });
  let stopped: { peakRssBytes: number | undefined } | undefined;
  try {
    const common = { url: server.url, sessionId: `transfer-${randomUUID()}`, size: kase.size, chunkSize: kase.chunk, window: opts.window, timeoutMs: opts.timeoutMs };
    const receiver = spawnTs('bench/transfer/peer.ts', {
      label: 'sdk receiver', options: { ...common, role: 'receiver' } satisfies TransferPeerOptions, nodeArgs: profileArgs(opts, dirs.receiver!),
    });
    const clients = [receiver];
    return await withClients(clients, async () => {
      await receiver.ready(); // joined first: it creates the session
      const sender = spawnTs('bench/transfer/peer.ts', {
        label: 'sdk sender', options: { ...common, role: 'sender' } satisfies TransferPeerOptions, nodeArgs: profileArgs(opts, dirs.sender!),
      });
      clients.push(sender);
      await sender.ready();
      const serverCpuStart = server.cpuSeconds();
      const busyStart = machineBusySeconds();
      const wallStart = performance.now();
      sender.send('go');
      const [sent, received] = await Promise.all([
        sender.result<TransferSenderResult>(opts.timeoutMs + 5_000),
        receiver.result<TransferReceiverResult>(opts.timeoutMs + 5_000),
      ]);
      const { serverCpu, otherCpu } = cpuFigures(server, serverCpuStart, busyStart, wallStart, sent.cpuSeconds + received.cpuSeconds);
      if (received.bytes !== kase.size || sent.bytes !== kase.size) {
        throw new Error(`sdk ${kase.label}: sent ${sent.bytes} bytes, received ${received.bytes}, expected ${kase.size}`);
      }
      if (received.sha256 !== sent.sha256) throw new Error(`sdk ${kase.label}: SHA-256 differs: sent ${sent.sha256}, received ${received.sha256}`);
      const seconds = (received.lastChunkNs - sent.startNs) / 1e9;
      stopped = await server.stop();
      if (opts.profile) {
        for (const role of PROFILE_ROLES) profiles.push({ kase: kase.label, role, dir: dirs[role]!, window: [sent.startNs / 1000, received.lastChunkNs / 1000] });
      }
      return {
        ...processFigures(seconds, kase.size, sent, received, stopped, serverCpu, otherCpu),
        inputSeconds: sent.inputSeconds,
        hashSeconds: received.hashSeconds,
        firstChunkMs: (received.firstChunkNs - sent.startNs) / 1e6,
      };
    });
  } finally {
    if (!stopped) await server.stop();
  }
}

/** Throughput, peak memory and CPU share of the three processes of one transfer. */
function processFigures(
  seconds: number,
  bytes: number,
  sent: { peakRssBytes: number; cpuSeconds: number },
  received: { peakRssBytes: number; cpuSeconds: number },
  stopped: { peakRssBytes: number | undefined },
  serverCpu: number | undefined,
  otherCpu: number | undefined,
): Measurement {
  return {
    seconds,
    mbPerSecond: bytes / seconds / 1e6,
    senderPeakRss: sent.peakRssBytes,
    receiverPeakRss: received.peakRssBytes,
    serverPeakRss: stopped.peakRssBytes,
    senderCpu: sent.cpuSeconds / seconds,
    serverCpu: serverCpu === undefined ? undefined : serverCpu / seconds,
    receiverCpu: received.cpuSeconds / seconds,
    otherCpu,
  };
}

async function runWsRaw(opts: TransferOptions, kase: Case, variant: 'ws-raw' | 'ws-file-gcm'): Promise<Measurement> {
  const endToEnd = variant === 'ws-file-gcm';
  const options: RelayServerOptions = { variant: endToEnd ? 'ws-file' : 'ws-raw', maxPayload: DEFAULT_MAX_HTTP_BUFFER_SIZE };
  const server = await startTsServer('bench/relay/server.ts', { label: `${variant} server (${kase.label})`, options });
  let stopped: { peakRssBytes: number | undefined } | undefined;
  try {
    const messages = Math.ceil(kase.size / kase.chunk);
    const common = {
      variant: options.variant, url: server.url, room: `transfer-${randomUUID()}`, chunkSize: kase.chunk, messages,
      window: opts.window, timeoutMs: opts.timeoutMs, receiverWorkUs: 0, endToEnd,
    };
    const clients = (['receiver', 'sender'] as const).map((role) =>
      spawnTs('bench/relay/client.ts', { label: `${variant} ${role}`, options: { ...common, role } satisfies RelayClientOptions }));
    const [receiver, sender] = clients as [TsChild, TsChild];
    return await withClients(clients, async () => {
      await Promise.all([receiver.ready(), sender.ready()]);
      const serverCpuStart = server.cpuSeconds();
      const busyStart = machineBusySeconds();
      const wallStart = performance.now();
      sender.send('go');
      const [sent, received] = await Promise.all([
        sender.result<SenderResult>(opts.timeoutMs + 5_000),
        receiver.result<ReceiverResult>(opts.timeoutMs + 5_000),
      ]);
      const { serverCpu, otherCpu } = cpuFigures(server, serverCpuStart, busyStart, wallStart, sent.cpuSeconds + received.cpuSeconds);
      if (received.bytes !== messages * kase.chunk) throw new Error(`${variant} ${kase.label}: received ${received.bytes} bytes, expected ${messages * kase.chunk}`);
      if (received.sha256 !== sent.sha256) throw new Error(`${variant} ${kase.label}: SHA-256 differs: sent ${sent.sha256}, received ${received.sha256}`);
      const seconds = (received.lastReceiveNs - sent.firstSendNs) / 1e9;
      stopped = await server.stop();
      return processFigures(seconds, received.bytes, sent, received, stopped, serverCpu, otherCpu);
    });
  } finally {
    if (!stopped) await server.stop();
  }
}

async function run(opts: TransferOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const buffers = bufferutilInfo();
  if (!buffers.native) notes.push('bufferutil native addon NOT loaded: ws masks in JavaScript');
  if (opts.runAllProfile) {
    notes.push(`run from run-all.ts: smaller sizes (${opts.sizes.map(formatSize).join(', ')}; sweep at ${formatSize(opts.sweepSize)}); ` +
      '`npx tsx bench/transfer.ts` alone runs 256 MiB and 1 GiB (sweep at 256 MiB)');
  }
  const all = cases(opts);
  if (opts.profile) await mkdir(opts.profileDir, { recursive: true });
  const measured = new Map<string, Measurement[]>();
  for (const kase of all) {
    log(`transfer ${kase.label}: ${opts.runs} run(s), variants ${opts.variants.join(', ')}`);
    for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
      for (const variant of rotate(opts.variants, runIndex)) {
        const m = variant === 'sdk' ? await runSdk(opts, kase) : await runWsRaw(opts, kase, variant);
        const key = `${kase.label}\u0000${variant}`;
        measured.set(key, [...(measured.get(key) ?? []), m]);
        log(`  ${kase.label} run ${runIndex + 1}/${opts.runs} ${variant.padEnd(11)} ${formatNumber(m.mbPerSecond).padStart(6)} MB/s  ` +
          `peak RSS snd/srv/rcv ${(m.senderPeakRss / MIB).toFixed(0)}/${((m.serverPeakRss ?? NaN) / MIB).toFixed(0)}/${(m.receiverPeakRss / MIB).toFixed(0)} MiB  ` +
          `cpu snd ${m.senderCpu.toFixed(2)} srv ${m.serverCpu?.toFixed(2) ?? '?'} rcv ${m.receiverCpu.toFixed(2)} other ${m.otherCpu?.toFixed(2) ?? '?'}`);
      }
    }
  }
  const mib = (value: number | undefined) => (value === undefined ? null : value / MIB);
  for (const kase of all) {
    for (const variant of opts.variants) {
      const list = measured.get(`${kase.label}\u0000${variant}`) ?? [];
      const details = {
        seconds: medianOf(list.map((m) => m.seconds)) ?? null,
        senderPeakRssMiB: mib(medianOf(list.map((m) => m.senderPeakRss))),
        serverPeakRssMiB: mib(medianOf(list.map((m) => m.serverPeakRss))),
        receiverPeakRssMiB: mib(medianOf(list.map((m) => m.receiverPeakRss))),
        senderCpu: medianOf(list.map((m) => m.senderCpu)) ?? null,
        serverCpu: medianOf(list.map((m) => m.serverCpu)) ?? null,
        receiverCpu: medianOf(list.map((m) => m.receiverCpu)) ?? null,
        otherCpu: medianOf(list.map((m) => m.otherCpu)) ?? null,
        inputSeconds: medianOf(list.map((m) => m.inputSeconds)) ?? null,
        hashSeconds: medianOf(list.map((m) => m.hashSeconds)) ?? null,
        firstChunkMs: medianOf(list.map((m) => m.firstChunkMs)) ?? null,
        // CPU time of the three processes per MB moved: less sensitive to other load than MB/s.
        cpuMsPerMB: medianOf(list.map((m) => (m.serverCpu === undefined ? undefined : ((m.senderCpu + m.serverCpu + m.receiverCpu) / m.mbPerSecond) * 1000))) ?? null,
      };
      const f = (value: number | null, digits = 2) => (value === null ? '?' : value.toFixed(digits));
      rows.push(makeRow({
        case: kase.label,
        variant,
        unit: 'MB/s',
        runs: list.map((m) => m.mbPerSecond),
        baseline: variant === 'ws-raw',
        details,
        detailText: `peak RSS snd/srv/rcv ${f(details.senderPeakRssMiB, 0)}/${f(details.serverPeakRssMiB, 0)}/${f(details.receiverPeakRssMiB, 0)} MiB; ` +
          `cpu snd/srv/rcv ${f(details.senderCpu)}/${f(details.serverCpu)}/${f(details.receiverCpu)} other ${f(details.otherCpu)}, ${f(details.cpuMsPerMB, 1)} ms CPU/MB` +
          (variant === 'sdk' ? `; input+hash ${f(details.inputSeconds)} s, rcv hash ${f(details.hashSeconds)} s; first chunk ${f(details.firstChunkMs, 0)} ms` : ''),
      }));
    }
  }

  // The second baseline, the same essential work without the SDK (ws-file-gcm): its ratio in the details.
  for (const kase of all) {
    const essential = rows.find((row) => row.case === kase.label && row.variant === 'ws-file-gcm');
    const sdk = rows.find((row) => row.case === kase.label && row.variant === 'sdk');
    if (essential && sdk && essential.median > 0) {
      sdk.details.vsWsFileGcm = sdk.median / essential.median;
      sdk.detailText = `${(sdk.median / essential.median).toFixed(2)}x of ws-file-gcm; ${sdk.detailText}`;
    }
  }

  for (const { kase, role, dir, window } of profiles) {
    const file = await mainThreadProfile(dir);
    if (!file) {
      log(`no main-thread profile in ${dir}`);
      continue;
    }
    log(`\nCPU profile of the sdk ${role}, ${kase}, the transfer only: ${path.relative(process.cwd(), file)}\n` +
      `${await summariseProfileFile(file, { top: 20, windows: [window] })}`);
  }

  // Memory against file size, at the default chunk size: the smallest and the largest size.
  const main = all.filter((c) => c.chunk === opts.chunk).sort((a, b) => a.size - b.size);
  if (main.length >= 2) {
    const small = main[0]!;
    const large = main.at(-1)!;
    for (const variant of opts.variants) {
      const rowOf = (c: Case) => rows.find((r) => r.case === c.label && r.variant === variant)!.details;
      const a = rowOf(small);
      const b = rowOf(large);
      const part = (name: string, key: 'senderPeakRssMiB' | 'serverPeakRssMiB' | 'receiverPeakRssMiB') =>
        `${name} ${a[key]?.toFixed(0) ?? '?'} -> ${b[key]?.toFixed(0) ?? '?'} MiB`;
      notes.push(`${variant} peak RSS ${formatSize(small.size)} -> ${formatSize(large.size)} (x${(large.size / small.size).toFixed(0)} the bytes): ` +
        `${part('sender', 'senderPeakRssMiB')}, ${part('server', 'serverPeakRssMiB')}, ${part('receiver', 'receiverPeakRssMiB')}`);
    }
  }
  notes.push(`sdk = ShareClient (window ${opts.window}, fast key derivation), sender input = AsyncIterable of pseudo-random pieces with size, ` +
    'receiver = item.stream(), SHA-256 of both ends checked equal; ws-raw = relay.ts\'s raw ws relay (same chunk size and window, no encryption, no store); ' +
    'ws-file-gcm = the same relay appending every chunk to a file before acking it (batched writev, no fsync, like the disk store), the sender making and hashing the same pseudo-random input and sealing each chunk with AES-256-GCM (node:crypto), the receiver opening and hashing it, SHA-256 checked equal');
  notes.push('each run starts fresh server, sender and receiver processes: peak RSS (VmHWM) is one transfer\'s; cpu = cores used during the transfer; ms CPU/MB = CPU time of sender + server + receiver per MB moved; other = cores busy with anything else meanwhile');
  notes.push(`sharethings server limits lifted: ${Object.keys(MANY_CLIENTS_ENV).join(', ')}`);
  return {
    options: {
      ...opts,
      sizes: opts.sizes.map(formatSize),
      chunk: formatSize(opts.chunk),
      sweepSize: formatSize(opts.sweepSize),
      sweepChunks: opts.sweepChunks.map(formatSize),
      bufferutil: buffers,
    },
    baselineVariant: 'ws-raw',
    variants: [...opts.variants],
    cases: all.map((c) => c.label),
    rows,
    notes,
  };
}

await benchMain<TransferOptions>({
  name: 'transfer',
  title: 'SDK file transfer, ShareClient sender -> server -> ShareClient receiver (3 processes), vs raw ws relay',
  usage: `npx tsx bench/transfer.ts [flags]
  --sizes LIST         file sizes at --chunk (default 256m,1g; from run-all 64m,256m; smoke 4m)
  --chunk SIZE         chunk size for --sizes (default the SDK's, ${formatSize(DEFAULT_CHUNK_SIZE)})
  --sweep-size SIZE    file size of the chunk-size sweep (default 256m; from run-all 64m; smoke 4m)
  --sweep-chunks LIST  other chunk sizes swept (default 64k,1m; smoke 1m)
  --runs N             runs per case and variant, median reported (default 3; smoke 1)
  --window N           chunks in flight, both variants (default the SDK's, ${DEFAULT_WINDOW})
  --variants LIST      ${VARIANTS.join(',')} (default all)
  --timeout SECONDS    bound on one transfer (default 300; smoke 30)
  --profile            --cpu-prof the sdk server, sender and receiver; print their main threads' top functions over each transfer
  --profile-dir DIR    (default bench/results/profiles)`,
  options: {
    sizes: { type: 'string' },
    chunk: { type: 'string' },
    'sweep-size': { type: 'string' },
    'sweep-chunks': { type: 'string' },
    runs: { type: 'string' },
    window: { type: 'string' },
    variants: { type: 'string' },
    timeout: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
  },
  parse(values, smoke) {
    // run-all.ts passes --child and nothing else: then the smaller profile, unless sizes are given.
    const runAllProfile = !smoke && values.child === true && stringValue(values, 'sizes') === undefined;
    const sizes = (listValue(values, 'sizes') ?? (smoke ? ['4m'] : runAllProfile ? ['64m', '256m'] : ['256m', '1g'])).map(parseSize);
    return {
      sizes,
      chunk: parseSize(stringValue(values, 'chunk') ?? String(DEFAULT_CHUNK_SIZE)),
      sweepSize: parseSize(stringValue(values, 'sweep-size') ?? (smoke ? '4m' : runAllProfile ? '64m' : '256m')),
      sweepChunks: (listValue(values, 'sweep-chunks') ?? (smoke ? ['1m'] : ['64k', '1m'])).map(parseSize),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => Number.isInteger(n) && n >= 1 && n <= 20),
      window: numberValue(values, 'window', DEFAULT_WINDOW, (n) => Number.isInteger(n) && n >= 1 && n <= 1024),
      variants: pick(listValue(values, 'variants') ?? [...VARIANTS], VARIANTS, 'variants'),
      timeoutMs: numberValue(values, 'timeout', smoke ? 30 : 300, (n) => n > 0 && n <= 3600) * 1000,
      runAllProfile,
      profile: values.profile === true,
      profileDir: path.resolve(stringValue(values, 'profile-dir') ?? path.join(RESULTS_DIR, 'profiles')),
    };
  },
  run,
});
