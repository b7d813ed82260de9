/**
 * Server restart: N clients (default 500, in sessions of 10, from one or two
 * load processes) are connected and joined; each session's first client
 * shares K items (half texts, half small files) and waits for the server's
 * acknowledgements; then the server process is stopped (SIGTERM: graceful,
 * or --signal SIGKILL) and started again on the same port with the same
 * DATA_DIR. Reports the time from the stop to each client's re-join (p50,
 * p99, max), clients that did not re-join, and items lost: after the re-join
 * every client lists history() and must see all K items of its session, and
 * a fresh client per session reads every item back and checks its SHA-256.
 *
 * ShareClients re-join by themselves (the `rejoin` event, after reconnecting,
 * re-joining with the kept keys and catching up). Baseline in the same run:
 * bare Socket.IO (reconnect/bare-server.ts) restarted the same way, with plain
 * socket.io-clients using the SDK's reconnection settings (DEFAULT_SOCKET_OPTIONS)
 * that re-send `join` on every connect: the reconnection floor, with nothing stored.
 *
 *   npx tsx bench/reconnect.ts [--clients 500] [--per-session 10] [--items 10] [--file-size 100k]
 *                              [--signal SIGTERM|SIGKILL] [--runs 3] [--variants sio-ours,sdk] [--rejoin-limit 60]
 */
import { randomUUID } from 'node:crypto';
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV, restartableShareThings, sleep, summarise, waitForEvent } from './lib/load.ts';
import { nowNs } from './lib/child.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { RECONNECT_VARIANTS, type ReconnectLoadOptions, type ReconnectLoadResult, type ReconnectVariant } from './reconnect/common.ts';

interface ReconnectOptions {
  clients: number;
  perSession: number;
  items: number;
  fileBytes: number;
  signal: 'SIGTERM' | 'SIGKILL';
  runs: number;
  variants: ReconnectVariant[];
  rejoinLimitMs: number;
  loadProcs: number;
  smoke: boolean;
}

interface Measurement {
  fromStop: ReturnType<typeof summarise>;
  fromListening: ReturnType<typeof summarise>;
  downtimeMs: number;
  /** Stop signal to exit (the graceful shutdown, or the kill). */
  exitMs: number;
  notRejoined: number;
  rejoinFailed: number;
  itemsShared: number;
  itemsLost: number;
  incomplete: number;
  verified: number;
  corrupt: number;
  errors: string[];
}

interface Restartable {
  url: string;
  start(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
  dispose(): Promise<void>;
}

/** reconnect/bare-server.ts, restartable on the port it first got. */
function bareServer(): Restartable {
  let port = 0;
  let child: TsChild | undefined;
  let starts = 0;
  const server: Restartable = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async start() {
      child = spawnTs('bench/reconnect/bare-server.ts', { label: `sio-ours server${starts++ ? ` (restart ${starts - 1})` : ''}`, options: { port } });
      ({ port } = await child.ready<{ port: number }>(30_000));
    },
    async stop(signal) {
      await child?.stop(15_000, signal);
    },
    async dispose() {
      await child?.stop(5_000);
    },
  };
  return server;
}

async function measure(opts: ReconnectOptions, variant: ReconnectVariant, log: (line: string) => void): Promise<Measurement> {
  const server: Restartable = variant === 'sdk' ? await restartableShareThings({ label: 'sharethings', env: MANY_CLIENTS_ENV }) : bareServer();
  const loads: TsChild[] = [];
  try {
    await server.start();
    const sessionPrefix = `reconnect-${randomUUID().slice(0, 8)}`;
    for (let first = 0; first < opts.loadProcs; first++) {
      const options: ReconnectLoadOptions = {
        variant, url: server.url, first, step: opts.loadProcs, total: opts.clients, perSession: opts.perSession, sessionPrefix,
        items: opts.items, fileBytes: opts.fileBytes, rejoinLimitMs: opts.rejoinLimitMs, timeoutMs: opts.rejoinLimitMs + 300_000,
      };
      loads.push(spawnTs('bench/reconnect/load.ts', { label: `${variant} load ${first}`, options }));
    }
    const all = async (command: string, event: string, timeoutMs: number) => {
      for (const load of loads) load.send(command);
      return Promise.all(loads.map((load) => waitForEvent<{ count?: number; items?: number }>(load, event, timeoutMs)));
    };
    await Promise.all(loads.map((load) => load.ready(60_000)));
    await all('go', 'joined', 120_000);
    const shared = await all('share', 'shared', 120_000);
    await sleep(500); // let the relays of the last items reach everyone
    for (const load of loads) load.send('restart');
    const stopNs = nowNs();
    await server.stop(opts.signal);
    const exitedNs = nowNs();
    await server.start();
    const listeningNs = nowNs();
    log(`  ${variant}: ${shared.reduce((sum, s) => sum + (s.items ?? 0), 0)} items shared; server ${opts.signal === 'SIGKILL' ? 'killed' : 'stopped'} and listening again after ` +
      `${((listeningNs - stopNs) / 1e6).toFixed(0)} ms; waiting for re-joins`);
    await Promise.all(loads.map((load) => waitForEvent(load, 'rejoined', opts.rejoinLimitMs + 30_000)));
    for (const load of loads) load.send('verify');
    const results = await Promise.all(loads.map((load) => load.result<ReconnectLoadResult>(180_000)));

    const rejoins = results.flatMap((r) => r.rejoinNs).filter((ns): ns is number => ns !== null);
    const sharedBySession = new Map<number, Set<string>>();
    for (const item of results.flatMap((r) => r.shared)) {
      if (!sharedBySession.has(item.session)) sharedBySession.set(item.session, new Set());
      sharedBySession.get(item.session)!.add(item.contentId);
    }
    let itemsLost = 0;
    let incomplete = 0;
    for (const entry of results.flatMap((r) => r.seen)) {
      const ids = new Set(entry.ids);
      for (const id of sharedBySession.get(entry.session) ?? []) if (!ids.has(id)) itemsLost += 1;
      incomplete += entry.incomplete;
    }
    const total = results.reduce((sum, r) => sum + r.clients, 0);
    return {
      fromStop: summarise(rejoins.map((ns) => (ns - stopNs) / 1e6)),
      fromListening: summarise(rejoins.map((ns) => (ns - listeningNs) / 1e6)),
      downtimeMs: (listeningNs - stopNs) / 1e6,
      exitMs: (exitedNs - stopNs) / 1e6,
      notRejoined: total - rejoins.length,
      rejoinFailed: results.reduce((sum, r) => sum + r.rejoinFailed, 0),
      itemsShared: [...sharedBySession.values()].reduce((sum, set) => sum + set.size, 0),
      itemsLost,
      incomplete,
      verified: results.reduce((sum, r) => sum + r.verified, 0),
      corrupt: results.reduce((sum, r) => sum + r.corrupt.length, 0),
      errors: results.flatMap((r) => r.errors),
    };
  } finally {
    await stopAll(loads, 5_000);
    await server.dispose();
  }
}

async function run(opts: ReconnectOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const notes: string[] = [];
  const problems: string[] = [];
  const measured = new Map<ReconnectVariant, Measurement[]>(opts.variants.map((v) => [v, []]));
  for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
    for (const variant of rotate(opts.variants, runIndex)) {
      log(`reconnect run ${runIndex + 1}/${opts.runs} ${variant}: ${opts.clients} clients in sessions of ${opts.perSession}, ` +
        `${variant === 'sdk' ? `${opts.items} items per session, ` : ''}restart with ${opts.signal}`);
      const m = await measure(opts, variant, log);
      measured.get(variant)!.push(m);
      log(`  ${variant}: re-joined p50/p99/max ${m.fromStop.p50.toFixed(0)}/${m.fromStop.p99.toFixed(0)}/${m.fromStop.max.toFixed(0)} ms after the stop ` +
        `(downtime ${m.downtimeMs.toFixed(0)} ms, of which exit ${m.exitMs.toFixed(0)} ms); ${m.notRejoined} not re-joined` +
        (variant === 'sdk' ? `; items shared ${m.itemsShared}, lost ${m.itemsLost} (client views), incomplete ${m.incomplete}, read back ${m.verified}, corrupt ${m.corrupt}` : ''));
      const where = `${variant} run ${runIndex + 1}`;
      if (m.notRejoined > 0) problems.push(`${where}: ${m.notRejoined} of ${opts.clients} clients did not re-join within ${opts.rejoinLimitMs / 1000} s (${m.rejoinFailed} failed for good)`);
      if (variant === 'sdk') {
        if (m.itemsLost > 0) problems.push(`${where}: ${m.itemsLost} item views LOST (an item missing from a client's history)`);
        if (m.corrupt > 0) problems.push(`${where}: ${m.corrupt} items read back with the wrong SHA-256`);
        if (m.verified !== m.itemsShared) problems.push(`${where}: ${m.verified} of ${m.itemsShared} items read back intact by a fresh client`);
        if (m.incomplete > 0) problems.push(`${where}: ${m.incomplete} item views not complete after the re-join`);
      }
      if (m.errors.length > 0) notes.push(`${where}: errors: ${m.errors.slice(0, 3).join('; ')}`);
    }
  }
  // A smoke run that loses anything fails (so `make test` catches it); a full run reports it.
  if (opts.smoke && problems.length > 0) throw new Error(problems.join('\n'));
  notes.push(...problems);

  const rows: BenchRow[] = [];
  const f = (value: number | null, digits = 0) => (value === null ? '?' : value.toFixed(digits));
  for (const variant of opts.variants) {
    const list = measured.get(variant)!;
    const med = (get: (m: Measurement) => number) => medianOf(list.map(get)) ?? null;
    const sum = (get: (m: Measurement) => number) => list.reduce((total, m) => total + get(m), 0);
    const details = {
      p50Ms: med((m) => m.fromStop.p50),
      p99Ms: med((m) => m.fromStop.p99),
      maxMs: med((m) => m.fromStop.max),
      downtimeMs: med((m) => m.downtimeMs),
      exitMs: med((m) => m.exitMs),
      fromListeningP50Ms: med((m) => m.fromListening.p50),
      fromListeningP99Ms: med((m) => m.fromListening.p99),
      fromListeningMaxMs: med((m) => m.fromListening.max),
      notRejoined: sum((m) => m.notRejoined),
      itemsShared: variant === 'sdk' ? sum((m) => m.itemsShared) : null,
      itemsLost: variant === 'sdk' ? sum((m) => m.itemsLost) : null,
      incomplete: variant === 'sdk' ? sum((m) => m.incomplete) : null,
      verified: variant === 'sdk' ? sum((m) => m.verified) : null,
      corrupt: variant === 'sdk' ? sum((m) => m.corrupt) : null,
    };
    const items = variant === 'sdk'
      ? `; items lost ${details.itemsLost} of ${details.itemsShared} x ${opts.perSession} views, read back ${details.verified}/${details.itemsShared}, corrupt ${details.corrupt} (all runs)`
      : '';
    const common = `downtime ${f(details.downtimeMs)} ms (exit ${f(details.exitMs)}); from listening p50/p99/max ${f(details.fromListeningP50Ms)}/${f(details.fromListeningP99Ms)}/${f(details.fromListeningMaxMs)} ms; ` +
      `not re-joined ${details.notRejoined}`;
    for (const [label, get, text] of [
      ['re-joined p50', (m: Measurement) => m.fromStop.p50, `${common}${items}`],
      ['re-joined p99', (m: Measurement) => m.fromStop.p99, ''],
      ['re-joined max (all in)', (m: Measurement) => m.fromStop.max, ''],
    ] as const) {
      rows.push(makeRow({ case: label, variant, unit: 'ms (lower is better)', baseline: variant === 'sio-ours', details, runs: list.map(get), detailText: text }));
    }
  }
  notes.push(`${opts.clients} clients in sessions of ${opts.perSession} (${opts.loadProcs} load process(es)); server restarted with ${opts.signal} on the same port ` +
    `(sharethings: same DATA_DIR); times from the stop signal to each client's re-join (SDK: \`rejoin\` event; baseline: the ack of its re-sent join); ` +
    'clients use the SDK\'s reconnection defaults (1 s first delay, randomised +-50%, doubling to 5 s), websocket only, so the times are mostly the reconnection backoff and the restart (downtime = stop to listening, incl. Node + tsx start-up)');
  notes.push(`sdk: each session's first client shared ${opts.items} items (half inline texts, half ${formatSize(opts.fileBytes)} files) before the restart, all acknowledged; ` +
    'lost = items missing from a client\'s history() after its re-join, summed over clients; read back = items a fresh client read from the restarted server with the right SHA-256');
  return {
    options: { ...opts, fileBytes: formatSize(opts.fileBytes) },
    baselineVariant: 'sio-ours',
    variants: [...opts.variants],
    cases: ['re-joined p50', 're-joined p99', 're-joined max (all in)'],
    rows,
    notes,
  };
}

await benchMain<ReconnectOptions>({
  name: 'reconnect',
  title: 'Server restart: N connected clients, time until all have re-joined, items lost',
  usage: `npx tsx bench/reconnect.ts [flags]
  --clients N          clients (default 500; smoke 20)
  --per-session N      clients per session (default 10; smoke 5)
  --items K            items shared per session before the restart, at most 50 (default 10; smoke 4)
  --file-size SIZE     size of the file items (default 100k; smoke 10k)
  --signal S           SIGTERM (graceful restart, default) or SIGKILL
  --runs N             runs per variant, median reported (default 3; smoke 1)
  --variants LIST      ${RECONNECT_VARIANTS.join(',')}
  --rejoin-limit S     stop waiting for re-joins after this long (default 60; smoke 30)
  --load-procs N       load processes (1 or 2; default 2 from 100 clients, else 1)`,
  options: {
    clients: { type: 'string' },
    'per-session': { type: 'string' },
    items: { type: 'string' },
    'file-size': { type: 'string' },
    signal: { type: 'string' },
    runs: { type: 'string' },
    variants: { type: 'string' },
    'rejoin-limit': { type: 'string' },
    'load-procs': { type: 'string' },
  },
  parse(values, smoke) {
    const integer = (n: number) => Number.isInteger(n) && n >= 1;
    const clients = numberValue(values, 'clients', smoke ? 20 : 500, (n) => integer(n) && n <= 5_000);
    return {
      clients,
      perSession: numberValue(values, 'per-session', smoke ? 5 : 10, (n) => integer(n) && n <= 1_000),
      items: numberValue(values, 'items', smoke ? 4 : 10, (n) => integer(n) && n <= 50),
      fileBytes: parseSize(stringValue(values, 'file-size') ?? (smoke ? '10k' : '100k')),
      signal: pick([stringValue(values, 'signal') ?? 'SIGTERM'], ['SIGTERM', 'SIGKILL'] as const, 'signal')[0]!,
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => integer(n) && n <= 10),
      variants: pick(listValue(values, 'variants') ?? [...RECONNECT_VARIANTS], RECONNECT_VARIANTS, 'variants'),
      rejoinLimitMs: numberValue(values, 'rejoin-limit', smoke ? 30 : 60, (n) => n > 0 && n <= 600) * 1000,
      loadProcs: numberValue(values, 'load-procs', clients >= 100 ? 2 : 1, (n) => n === 1 || n === 2),
      smoke,
    };
  },
  run,
});
