/**
 * Many connections: ramps to 10,000 connected clients in 1,000 sessions (10
 * per session) from two load processes (socket.io-client, our parser,
 * websocket only), each client connecting and joining its session
 * (ShareThings: join-challenge + join with keys derived once per session
 * beforehand). Then, with everyone connected: the server's RSS per
 * connection (VmRSS after minus before, / clients) and its CPU at idle
 * (/proc/PID/stat over a few seconds). Join latency p50/p99 is measured
 * while ramping, so it includes the queueing of `concurrency` attempts in flight.
 *
 * Baseline in the same run: a bare Socket.IO server with our parser
 * (relay/server.ts, sio-ours), where joining is one `join` that puts the
 * socket in a room.
 *
 *   npx tsx bench/connections.ts [--clients 10000] [--per-session 10] [--concurrency 100] [--load-procs 2]
 *                                [--ramp-limit 150] [--idle-seconds 5] [--runs 1] [--variants sio-ours,sharethings]
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_MAX_HTTP_BUFFER_SIZE } from '../server/config.ts';
import { benchMain, listValue, numberValue, pick, type BenchOutcome } from './lib/cli.ts';
import { formatNumber } from './lib/format.ts';
import { MANY_CLIENTS_ENV, rssBytes, sampleCpu, sleep, summarise, waitForEvent } from './lib/load.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, startTsServer, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { machineBusySeconds } from './lib/sysinfo.ts';
import type { RelayServerOptions } from './relay/common.ts';
import {
  CONNECTION_VARIANTS,
  type ConnectionLoadOptions,
  type ConnectionLoadResult,
  type ConnectionRampEvent,
  type ConnectionVariant,
} from './connections/common.ts';

interface ConnectionsOptions {
  clients: number;
  perSession: number;
  concurrency: number;
  loadProcs: number;
  rampLimitMs: number;
  idleMs: number;
  /** Pause before the "before" RSS reading and after the ramp (smoke: short). */
  settleMs: number;
  runs: number;
  variants: ConnectionVariant[];
}

interface Measurement {
  connected: number;
  failed: number;
  stillConnected: number;
  rampSeconds: number;
  joinRate: number;
  rssPerConnectionKiB: number;
  serverRssMiB: number;
  serverRssBeforeMiB: number;
  idleCpu: number | undefined;
  rampServerCpu: number | undefined;
  otherCpu: number | undefined;
  join: ReturnType<typeof summarise>;
  connect: ReturnType<typeof summarise>;
  loadPeakRssMiB: number;
  errors: string[];
}

const MIB = 1024 ** 2;

async function startServer(variant: ConnectionVariant): Promise<ServerHandle> {
  if (variant === 'sharethings') return startShareThings({ label: 'sharethings', env: MANY_CLIENTS_ENV });
  const options: RelayServerOptions = { variant: 'sio-ours', maxPayload: DEFAULT_MAX_HTTP_BUFFER_SIZE };
  return startTsServer('bench/relay/server.ts', { label: 'sio-ours', options });
}

async function measure(opts: ConnectionsOptions, variant: ConnectionVariant, log: (line: string) => void): Promise<Measurement> {
  const server = await startServer(variant);
  const loads: TsChild[] = [];
  try {
    // Let start-up work (JIT, first sweep) settle before the "before" reading.
    await sleep(opts.settleMs / 2);
    const rssBefore = rssBytes(server.child.pid) ?? NaN;
    const sessionPrefix = `conn-${randomUUID().slice(0, 8)}`;
    const timeoutMs = opts.rampLimitMs + opts.idleMs + 120_000;
    for (let first = 0; first < opts.loadProcs; first++) {
      const options: ConnectionLoadOptions = {
        variant, url: server.url, first, step: opts.loadProcs, total: opts.clients, clientsPerSession: opts.perSession,
        sessionPrefix, concurrency: Math.max(1, Math.round(opts.concurrency / opts.loadProcs)), rampLimitMs: opts.rampLimitMs, timeoutMs,
      };
      loads.push(spawnTs('bench/connections/load.ts', { label: `${variant} load ${first}`, options }));
    }
    await Promise.all(loads.map((load) => load.ready(60_000)));
    const serverCpuStart = server.cpuSeconds();
    const busyStart = machineBusySeconds();
    const wallStart = performance.now();
    for (const load of loads) load.send('go');
    const ramps = await Promise.all(loads.map((load) => waitForEvent<ConnectionRampEvent>(load, 'ramped', opts.rampLimitMs + 60_000)));
    const serverCpuEnd = server.cpuSeconds();
    const busyEnd = machineBusySeconds();
    const rampWall = (performance.now() - wallStart) / 1000;
    const connected = ramps.reduce((sum, r) => sum + r.connected, 0);
    const failed = ramps.reduce((sum, r) => sum + r.failed, 0);
    const rampSeconds = (Math.max(...ramps.map((r) => r.rampEndNs)) - Math.min(...ramps.map((r) => r.rampStartNs))) / 1e9;
    log(`  ${variant}: ${connected} connected, ${failed} failed in ${rampSeconds.toFixed(1)} s; settling, then idle CPU over ${opts.idleMs / 1000} s`);
    // Idle: everyone connected, nobody sending; only Engine.IO pings (every 25 s per client) remain.
    await sleep(opts.settleMs);
    const rssAfter = rssBytes(server.child.pid) ?? NaN;
    const idleCpu = await sampleCpu(server.child.pid, opts.idleMs);
    for (const load of loads) load.send('stop');
    const results = await Promise.all(loads.map((load) => load.result<ConnectionLoadResult>(60_000)));
    const rampServerCpu = serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined;
    const loadCpu = ramps.reduce((sum, r) => sum + r.cpuSeconds, 0);
    return {
      connected,
      failed,
      stillConnected: results.reduce((sum, r) => sum + r.stillConnected, 0),
      rampSeconds,
      joinRate: connected / rampSeconds,
      rssPerConnectionKiB: (rssAfter - rssBefore) / Math.max(1, connected) / 1024,
      serverRssMiB: rssAfter / MIB,
      serverRssBeforeMiB: rssBefore / MIB,
      idleCpu,
      rampServerCpu: rampServerCpu === undefined ? undefined : rampServerCpu / rampWall,
      otherCpu: busyStart !== undefined && busyEnd !== undefined && rampServerCpu !== undefined
        ? Math.max(0, busyEnd - busyStart - rampServerCpu - loadCpu) / rampWall
        : undefined,
      join: summarise(results.flatMap((r) => r.joinMs)),
      connect: summarise(results.flatMap((r) => r.connectMs)),
      loadPeakRssMiB: Math.max(...results.map((r) => r.peakRssBytes)) / MIB,
      errors: results.flatMap((r) => r.errors),
    };
  } finally {
    await stopAll(loads, 5_000);
    await server.stop();
  }
}

async function run(opts: ConnectionsOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const notes: string[] = [];
  const measured = new Map<ConnectionVariant, Measurement[]>(opts.variants.map((v) => [v, []]));
  for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
    for (const variant of rotate(opts.variants, runIndex)) {
      log(`connections run ${runIndex + 1}/${opts.runs} ${variant}: ramp to ${opts.clients} clients in ${Math.ceil(opts.clients / opts.perSession)} sessions, ` +
        `${opts.concurrency} in flight from ${opts.loadProcs} process(es)`);
      const m = await measure(opts, variant, log);
      measured.get(variant)!.push(m);
      log(`  ${variant}: ${formatNumber(m.joinRate)} joins/s, join p50/p99 ${m.join.p50.toFixed(1)}/${m.join.p99.toFixed(1)} ms, ` +
        `server RSS ${m.serverRssBeforeMiB.toFixed(0)} -> ${m.serverRssMiB.toFixed(0)} MiB (${m.rssPerConnectionKiB.toFixed(1)} KiB/conn), ` +
        `idle CPU ${m.idleCpu?.toFixed(3) ?? '?'} cores, ramp srv ${m.rampServerCpu?.toFixed(2) ?? '?'} other ${m.otherCpu?.toFixed(2) ?? '?'}`);
      if (m.connected < opts.clients) {
        notes.push(`${variant} run ${runIndex + 1}: only ${m.connected} of ${opts.clients} connected (${m.failed} failed${m.errors.length ? `: ${m.errors.join('; ')}` : ''})`);
      }
      if (m.stillConnected < m.connected) notes.push(`${variant} run ${runIndex + 1}: ${m.connected - m.stillConnected} clients dropped while idle`);
    }
  }
  // A smoke run that cannot connect everyone fails (so `make test` catches it); a full run reports it.
  if (ctx.smoke && notes.length > 0) throw new Error(notes.join('\n'));
  const rows: BenchRow[] = [];
  const f = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? '?' : value.toFixed(digits));
  for (const variant of opts.variants) {
    const list = measured.get(variant)!;
    const med = (pickValue: (m: Measurement) => number | undefined) => medianOf(list.map(pickValue)) ?? null;
    const baseline = variant === 'sio-ours';
    const common = {
      connected: med((m) => m.connected),
      failed: med((m) => m.failed),
      rampSeconds: med((m) => m.rampSeconds),
      serverRssMiB: med((m) => m.serverRssMiB),
      serverRssBeforeMiB: med((m) => m.serverRssBeforeMiB),
      idleCpu: med((m) => m.idleCpu),
      rampServerCpu: med((m) => m.rampServerCpu),
      otherCpu: med((m) => m.otherCpu),
      joinP50Ms: med((m) => m.join.p50),
      joinP99Ms: med((m) => m.join.p99),
      joinMaxMs: med((m) => m.join.max),
      connectP50Ms: med((m) => m.connect.p50),
      connectP99Ms: med((m) => m.connect.p99),
      loadPeakRssMiB: med((m) => m.loadPeakRssMiB),
    };
    rows.push(makeRow({
      case: `ramp to ${opts.clients}`, variant, unit: 'joins/s', baseline, details: common,
      runs: list.map((m) => m.joinRate),
      detailText: `${f(common.connected, 0)} in ${f(common.rampSeconds, 1)} s; connect p50/p99 ${f(common.connectP50Ms, 1)}/${f(common.connectP99Ms, 1)} ms; ` +
        `cpu srv ${f(common.rampServerCpu)} other ${f(common.otherCpu)}`,
    }));
    rows.push(makeRow({
      case: 'join latency p50', variant, unit: 'ms (lower is better)', baseline, details: common,
      runs: list.map((m) => m.join.p50),
      detailText: `p99 ${f(common.joinP99Ms, 1)} ms, max ${f(common.joinMaxMs, 0)} ms (${opts.concurrency} attempts in flight)`,
    }));
    rows.push(makeRow({
      case: 'join latency p99', variant, unit: 'ms (lower is better)', baseline, details: common,
      runs: list.map((m) => m.join.p99),
      detailText: variant === 'sharethings' ? 'join-challenge + Ed25519 proof + join' : 'one join (room)',
    }));
    rows.push(makeRow({
      case: 'server RSS per connection', variant, unit: 'KiB (lower is better)', baseline, details: common,
      runs: list.map((m) => m.rssPerConnectionKiB),
      detailText: `server RSS ${f(common.serverRssBeforeMiB, 0)} -> ${f(common.serverRssMiB, 0)} MiB; idle CPU ${f(common.idleCpu, 3)} cores over ${opts.idleMs / 1000} s; ` +
        `load proc peak ${f(common.loadPeakRssMiB, 0)} MiB`,
    }));
  }
  notes.push(`${opts.clients} clients in ${Math.ceil(opts.clients / opts.perSession)} sessions of ${opts.perSession}, ${opts.loadProcs} load process(es), ` +
    `${opts.concurrency} connect+join attempts in flight; join latency = from connected to the join ack (ShareThings: join-challenge, Ed25519 proof, join; keys derived beforehand); ` +
    'connect = handshake to `connect`');
  notes.push(`RSS per connection = (server VmRSS ${opts.settleMs / 1000} s after the ramp - VmRSS before any client) / clients connected: it includes heap not yet collected; ` +
    `idle CPU = server CPU seconds per second over ${opts.idleMs / 1000} s with everyone connected and silent (Engine.IO pings every 25 s per client remain)`);
  notes.push(`sharethings server limits lifted: ${Object.keys(MANY_CLIENTS_ENV).join(', ')}; ramp bounded by ${opts.rampLimitMs / 1000} s`);
  return {
    options: { ...opts },
    baselineVariant: 'sio-ours',
    variants: [...opts.variants],
    cases: [`ramp to ${opts.clients}`, 'join latency p50', 'join latency p99', 'server RSS per connection'],
    rows,
    notes,
  };
}

await benchMain<ConnectionsOptions>({
  name: 'connections',
  title: 'Many connections: ramp to N connected and joined clients (join rate and latency, server RSS per connection, idle CPU)',
  usage: `npx tsx bench/connections.ts [flags]
  --clients N         clients to connect (default 10000; smoke 200)
  --per-session N     clients per session (default 10)
  --concurrency N     connect+join attempts in flight, all load processes together (default 100; smoke 20)
  --load-procs N      load processes (1 or 2; default 2)
  --ramp-limit S      stop ramping after this many seconds (default 150; smoke 30)
  --idle-seconds S    idle CPU sample (default 5; smoke 1)
  --runs N            runs per variant, median reported (default 1: a 10,000-client ramp is long; smoke 1)
  --variants LIST     ${CONNECTION_VARIANTS.join(',')}`,
  options: {
    clients: { type: 'string' },
    'per-session': { type: 'string' },
    concurrency: { type: 'string' },
    'load-procs': { type: 'string' },
    'ramp-limit': { type: 'string' },
    'idle-seconds': { type: 'string' },
    runs: { type: 'string' },
    variants: { type: 'string' },
  },
  parse(values, smoke) {
    const integer = (n: number) => Number.isInteger(n) && n >= 1;
    return {
      clients: numberValue(values, 'clients', smoke ? 200 : 10_000, (n) => integer(n) && n <= 18_000),
      perSession: numberValue(values, 'per-session', 10, (n) => integer(n) && n <= 10_000),
      concurrency: numberValue(values, 'concurrency', smoke ? 20 : 100, (n) => integer(n) && n <= 5_000),
      loadProcs: numberValue(values, 'load-procs', 2, (n) => n === 1 || n === 2),
      rampLimitMs: numberValue(values, 'ramp-limit', smoke ? 30 : 150, (n) => n > 0 && n <= 3600) * 1000,
      idleMs: numberValue(values, 'idle-seconds', smoke ? 1 : 5, (n) => n > 0 && n <= 600) * 1000,
      settleMs: smoke ? 500 : 2_000,
      runs: numberValue(values, 'runs', 1, (n) => integer(n) && n <= 10),
      variants: pick(listValue(values, 'variants') ?? [...CONNECTION_VARIANTS], CONNECTION_VARIANTS, 'variants'),
    };
  },
  run,
});
