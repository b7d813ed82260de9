/**
 * Fan-out: one sender shares one item to 1, 10 and 50 receivers in one
 * session; the receivers live in 1 or 2 load processes (up to 5 receivers:
 * one process; more: two, split evenly), the sender and the server in their
 * own. Reports the aggregate delivered throughput (receivers x item bytes /
 * time from the sender's start to the last chunk read anywhere) and the
 * per-chunk delivery latency, p50 and p99 over every chunk at every receiver
 * (stamped by the sender, read by the receivers on the same CLOCK_MONOTONIC).
 *
 * Baseline in the same run: a raw `ws` fan-out server (fanout/ws-server.ts)
 * with the same number of receiver connections, chunk size and window, acking
 * the sender once every copy is written (no encryption, no store).
 *
 *   npx tsx bench/fanout.ts [--receivers 1,10,50] [--size 32m] [--chunk 256k] [--runs 3] [--window 16]
 *                           [--variants ws-raw,sdk] [--load-procs 2]
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW } from '../client/sdk/index.ts';
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatNumber, formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV, summarise } from './lib/load.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { machineBusySeconds } from './lib/sysinfo.ts';
import { FANOUT_VARIANTS, type FanoutPeerOptions, type FanoutReceiversResult, type FanoutSenderResult, type FanoutVariant } from './fanout/common.ts';

interface FanoutOptions {
  receivers: number[];
  size: number;
  chunk: number;
  runs: number;
  window: number;
  variants: FanoutVariant[];
  loadProcs: number;
  timeoutMs: number;
  runAllProfile: boolean;
}

interface Measurement {
  seconds: number;
  aggregateMBps: number;
  perReceiverMBps: number;
  latency: ReturnType<typeof summarise>;
  senderCpu: number;
  serverCpu: number | undefined;
  receiversCpu: number;
  otherCpu: number | undefined;
  receiverPeakRss: number;
}

const MIB = 1024 ** 2;

/** Receivers per load process: one process up to 5, else `procs` processes, split evenly. */
function split(receivers: number, procs: number): number[] {
  const count = receivers <= 5 ? 1 : Math.min(procs, receivers);
  return Array.from({ length: count }, (_, index) => Math.floor(receivers / count) + (index < receivers % count ? 1 : 0));
}

async function startServer(variant: FanoutVariant, receivers: number): Promise<ServerHandle> {
  const label = `${variant} server (${receivers} receivers)`;
  if (variant === 'sdk') return startShareThings({ label, env: MANY_CLIENTS_ENV });
  return startTsServer('bench/fanout/ws-server.ts', { label });
}

async function measure(opts: FanoutOptions, server: ServerHandle, variant: FanoutVariant, receivers: number): Promise<Measurement> {
  const common = {
    variant, url: server.url, sessionId: `fanout-${randomUUID()}`, size: opts.size, chunkSize: opts.chunk,
    window: opts.window, timeoutMs: opts.timeoutMs,
  };
  const children: TsChild[] = [];
  try {
    let firstIndex = 0;
    for (const count of split(receivers, opts.loadProcs)) {
      const options: FanoutPeerOptions = { ...common, role: 'receivers', receivers: count, firstIndex };
      children.push(spawnTs('bench/fanout/peer.ts', { label: `${variant} receivers ${firstIndex}-${firstIndex + count - 1}`, options }));
      firstIndex += count;
    }
    const groups = [...children];
    // Receivers first (the first join creates the session), then the sender.
    await Promise.all(groups.map((group) => group.ready(60_000)));
    const sender = spawnTs('bench/fanout/peer.ts', { label: `${variant} sender`, options: { ...common, role: 'sender', receivers: 0, firstIndex: 0 } satisfies FanoutPeerOptions });
    children.push(sender);
    await sender.ready(60_000);
    const serverCpuStart = server.cpuSeconds();
    const busyStart = machineBusySeconds();
    const wallStart = performance.now();
    sender.send('go');
    const [sent, ...got] = await Promise.all([
      sender.result<FanoutSenderResult>(opts.timeoutMs + 5_000),
      ...groups.map((group) => group.result<FanoutReceiversResult>(opts.timeoutMs + 5_000)),
    ]);
    const serverCpuEnd = server.cpuSeconds();
    const busyEnd = machineBusySeconds();
    const wall = (performance.now() - wallStart) / 1000;
    const all = got.flatMap((g) => g.receivers);
    const expected = opts.size;
    for (const [index, r] of all.entries()) {
      if (r.bytes !== expected) throw new Error(`${variant}: receiver ${index} got ${r.bytes} bytes, expected ${expected}`);
    }
    if (all.length !== receivers) throw new Error(`${variant}: ${all.length} receivers reported, expected ${receivers}`);
    const lastNs = Math.max(...all.map((r) => r.lastNs));
    const seconds = (lastNs - sent.startNs) / 1e9;
    const delivered = all.reduce((sum, r) => sum + r.bytes, 0);
    const receiversCpuSeconds = got.reduce((sum, g) => sum + g.cpuSeconds, 0);
    const serverCpu = serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined;
    return {
      seconds,
      aggregateMBps: delivered / seconds / 1e6,
      perReceiverMBps: expected / seconds / 1e6,
      latency: summarise(got.flatMap((g) => g.latenciesMs)),
      senderCpu: sent.cpuSeconds / seconds,
      serverCpu: serverCpu === undefined ? undefined : serverCpu / seconds,
      receiversCpu: receiversCpuSeconds / seconds,
      otherCpu: busyStart !== undefined && busyEnd !== undefined && serverCpu !== undefined
        ? Math.max(0, busyEnd - busyStart - serverCpu - sent.cpuSeconds - receiversCpuSeconds) / wall
        : undefined,
      receiverPeakRss: Math.max(...got.map((g) => g.peakRssBytes)),
    };
  } finally {
    await stopAll(children, 2_000);
  }
}

async function run(opts: FanoutOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const caseOf = (n: number) => `${n} receiver${n === 1 ? '' : 's'}`;
  for (const receivers of opts.receivers) {
    const procs = split(receivers, opts.loadProcs);
    log(`fanout ${caseOf(receivers)} (${procs.length} load process(es): ${procs.join('+')}), ${formatSize(opts.size)} item, ${opts.runs} run(s)`);
    const servers = new Map<FanoutVariant, ServerHandle>();
    const measured = new Map<FanoutVariant, Measurement[]>(opts.variants.map((v) => [v, []]));
    const peaks = new Map<FanoutVariant, number | undefined>();
    try {
      for (const variant of opts.variants) servers.set(variant, await startServer(variant, receivers));
      for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
        for (const variant of rotate(opts.variants, runIndex)) {
          const m = await measure(opts, servers.get(variant)!, variant, receivers);
          measured.get(variant)!.push(m);
          log(`  ${caseOf(receivers)} run ${runIndex + 1}/${opts.runs} ${variant.padEnd(6)} ${formatNumber(m.aggregateMBps).padStart(6)} MB/s aggregate, ` +
            `latency p50/p99 ${m.latency.p50.toFixed(1)}/${m.latency.p99.toFixed(1)} ms, cpu snd ${m.senderCpu.toFixed(2)} srv ${m.serverCpu?.toFixed(2) ?? '?'} ` +
            `rcv ${m.receiversCpu.toFixed(2)} other ${m.otherCpu?.toFixed(2) ?? '?'}`);
        }
      }
    } finally {
      for (const [variant, server] of servers) peaks.set(variant, (await server.stop()).peakRssBytes);
    }
    for (const variant of opts.variants) {
      const list = measured.get(variant)!;
      const details = {
        perReceiverMBps: medianOf(list.map((m) => m.perReceiverMBps)) ?? null,
        latencyP50Ms: medianOf(list.map((m) => m.latency.p50)) ?? null,
        latencyP99Ms: medianOf(list.map((m) => m.latency.p99)) ?? null,
        latencyMaxMs: medianOf(list.map((m) => m.latency.max)) ?? null,
        latencySamples: medianOf(list.map((m) => m.latency.count)) ?? null,
        senderCpu: medianOf(list.map((m) => m.senderCpu)) ?? null,
        serverCpu: medianOf(list.map((m) => m.serverCpu)) ?? null,
        receiversCpu: medianOf(list.map((m) => m.receiversCpu)) ?? null,
        otherCpu: medianOf(list.map((m) => m.otherCpu)) ?? null,
        serverPeakRssMiB: peaks.get(variant) === undefined ? null : peaks.get(variant)! / MIB,
        receiverProcessPeakRssMiB: (medianOf(list.map((m) => m.receiverPeakRss)) ?? NaN) / MIB,
        seconds: medianOf(list.map((m) => m.seconds)) ?? null,
        // CPU time of every process per MB delivered: less sensitive to other load than MB/s.
        cpuMsPerMB: medianOf(list.map((m) => (m.serverCpu === undefined ? undefined : ((m.senderCpu + m.serverCpu + m.receiversCpu) / m.aggregateMBps) * 1000))) ?? null,
      };
      const f = (value: number | null, digits = 2) => (value === null ? '?' : value.toFixed(digits));
      rows.push(makeRow({
        case: caseOf(receivers),
        variant,
        unit: 'MB/s',
        runs: list.map((m) => m.aggregateMBps),
        baseline: variant === 'ws-raw',
        details,
        detailText: `latency p50/p99 ${f(details.latencyP50Ms, 1)}/${f(details.latencyP99Ms, 1)} ms; ${formatNumber(details.perReceiverMBps)} MB/s each; ` +
          `cpu snd/srv/rcv ${f(details.senderCpu)}/${f(details.serverCpu)}/${f(details.receiversCpu)} other ${f(details.otherCpu)}, ${f(details.cpuMsPerMB, 1)} ms CPU/MB; ` +
          `srv peak ${f(details.serverPeakRssMiB, 0)} MiB, rcv proc peak ${f(details.receiverProcessPeakRssMiB, 0)} MiB`,
      }));
    }
  }
  if (opts.runAllProfile) notes.push(`run from run-all.ts: ${formatSize(opts.size)} item (alone: 32 MiB)`);
  notes.push(`one ${formatSize(opts.size)} item in ${formatSize(opts.chunk)} chunks, window ${opts.window}; MB/s = receivers x item bytes / (last chunk read anywhere - sender start); ` +
    'latency = chunk read at a receiver - chunk taken by the sender (SDK: read from the input once a window slot is free, so it includes encryption, the server\'s store write and decryption), all chunks of all receivers; ' +
    'under a bulk transfer it is mostly queueing (window and socket buffers), not the path\'s idle latency');
  notes.push('ws-raw = fanout/ws-server.ts, raw ws forwarding to every receiver, acking the sender once all copies are written; sdk = ShareThings server + ShareClients (websocket only, fast key derivation)');
  notes.push('cpu = cores used during the transfer (rcv = all receiver processes together); ms CPU/MB = CPU time of all processes per MB delivered; other = cores busy with anything else meanwhile');
  return {
    options: { ...opts, size: formatSize(opts.size), chunk: formatSize(opts.chunk) },
    baselineVariant: 'ws-raw',
    variants: [...opts.variants],
    cases: opts.receivers.map(caseOf),
    rows,
    notes,
  };
}

await benchMain<FanoutOptions>({
  name: 'fanout',
  title: 'Fan-out: 1 sender -> server -> N receivers in one session (aggregate delivered MB/s, chunk delivery latency)',
  usage: `npx tsx bench/fanout.ts [flags]
  --receivers LIST   receiver counts (default 1,10,50; smoke 1,3)
  --size SIZE        item size (default 32m; from run-all 16m; smoke 1m)
  --chunk SIZE       chunk size (default the SDK's, ${formatSize(DEFAULT_CHUNK_SIZE)})
  --runs N           runs per case and variant, median reported (default 3; smoke 1)
  --window N         chunks in flight (default the SDK's, ${DEFAULT_WINDOW})
  --variants LIST    ${FANOUT_VARIANTS.join(',')}
  --load-procs N     receiver processes when more than 5 receivers (1 or 2; default 2)
  --timeout SECONDS  bound on one run (default 180; smoke 30)`,
  options: {
    receivers: { type: 'string' },
    size: { type: 'string' },
    chunk: { type: 'string' },
    runs: { type: 'string' },
    window: { type: 'string' },
    variants: { type: 'string' },
    'load-procs': { type: 'string' },
    timeout: { type: 'string' },
  },
  parse(values, smoke) {
    const runAllProfile = !smoke && values.child === true && stringValue(values, 'size') === undefined;
    const chunk = parseSize(stringValue(values, 'chunk') ?? String(DEFAULT_CHUNK_SIZE));
    if (chunk > 1024 * 1024) throw new Error('--chunk: at most 1 MiB (the protocol\'s largest chunk)');
    return {
      receivers: (listValue(values, 'receivers') ?? (smoke ? ['1', '3'] : ['1', '10', '50'])).map((n) => {
        const value = Number(n);
        if (!Number.isInteger(value) || value < 1 || value > 1000) throw new Error(`--receivers: invalid count "${n}"`);
        return value;
      }),
      size: parseSize(stringValue(values, 'size') ?? (smoke ? '1m' : runAllProfile ? '16m' : '32m')),
      chunk,
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => Number.isInteger(n) && n >= 1 && n <= 20),
      window: numberValue(values, 'window', DEFAULT_WINDOW, (n) => Number.isInteger(n) && n >= 1 && n <= 1024),
      variants: pick(listValue(values, 'variants') ?? [...FANOUT_VARIANTS], FANOUT_VARIANTS, 'variants'),
      loadProcs: numberValue(values, 'load-procs', 2, (n) => n === 1 || n === 2),
      timeoutMs: numberValue(values, 'timeout', smoke ? 30 : 180, (n) => n > 0 && n <= 3600) * 1000,
      runAllProfile,
    };
  },
  run,
});
