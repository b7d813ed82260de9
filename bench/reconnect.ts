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
 * With --nodes N (2 or more) the clients go through HAProxy to N nodes (a
 * cluster: Redis, Swift) and one node, the busiest, is stopped for good:
 * killed (--signal SIGKILL) or drained (SIGTERM); its clients move to the
 * others. Times are from the signal to the re-join of each client that lost
 * its connection; the baseline is N bare Socket.IO servers behind the same
 * HAProxy. bench/failover.ts runs every fault (and a Redis restart) in a row.
 *
 *   npx tsx bench/reconnect.ts [--clients 500] [--per-session 10] [--items 10] [--file-size 100k] [--nodes 1]
 *                              [--signal SIGTERM|SIGKILL] [--runs 3] [--variants sio-ours,sdk] [--rejoin-limit 60]
 */
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV, restartableShareThings, sleep, type LatencySummary } from './lib/load.ts';
import { nowNs } from './lib/child.ts';
import { spawnTs, type TsChild } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { RECONNECT_VARIANTS, type ReconnectVariant } from './reconnect/common.ts';
import { LoadGroup, problemsOf, type FaultOutcome, type LoadPlan } from './reconnect/loads.ts';
import { startFailoverTarget } from './failover/targets.ts';

interface ReconnectOptions {
  clients: number;
  perSession: number;
  items: number;
  fileBytes: number;
  nodes: number;
  signal: 'SIGTERM' | 'SIGKILL';
  runs: number;
  variants: ReconnectVariant[];
  rejoinLimitMs: number;
  loadProcs: number;
  smoke: boolean;
}

interface Measurement {
  outcome: FaultOutcome;
  /** One node: stop signal to listening again, to exit, and re-join times from listening. */
  restart?: { downtimeMs: number; exitMs: number; fromListening: LatencySummary };
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

const planOf = (opts: ReconnectOptions, variant: ReconnectVariant, url: string): LoadPlan => ({ variant, url, ...opts });

/** One server stopped and started again on the same port (ShareThings: the same DATA_DIR). */
async function measureRestart(opts: ReconnectOptions, variant: ReconnectVariant, log: (line: string) => void): Promise<Measurement> {
  const server: Restartable = variant === 'sdk' ? await restartableShareThings({ label: 'sharethings', env: MANY_CLIENTS_ENV }) : bareServer();
  let group: LoadGroup | undefined;
  try {
    await server.start();
    group = await LoadGroup.start(planOf(opts, variant, server.url));
    await sleep(500); // let the relays of the last items reach everyone
    const { outcome, faultNs, faultResult } = await group.around(async () => {
      await server.stop(opts.signal);
      const exitedNs = nowNs();
      await server.start();
      return { exitedNs, listeningNs: nowNs() };
    });
    log(`  ${variant}: ${group.itemsShared} items shared; server ${opts.signal === 'SIGKILL' ? 'killed' : 'stopped'} and listening again after ` +
      `${((faultResult.listeningNs - faultNs) / 1e6).toFixed(0)} ms`);
    const rejoinedAt = outcome.rejoined; // from the stop
    return {
      outcome,
      restart: {
        downtimeMs: (faultResult.listeningNs - faultNs) / 1e6,
        exitMs: (faultResult.exitedNs - faultNs) / 1e6,
        fromListening: shift(rejoinedAt, (faultResult.listeningNs - faultNs) / 1e6),
      },
    };
  } finally {
    await group?.close();
    await server.dispose();
  }
}

/** A summary of times measured from an instant `byMs` later. */
function shift(summary: LatencySummary, byMs: number): LatencySummary {
  return { ...summary, p50: summary.p50 - byMs, p90: summary.p90 - byMs, p99: summary.p99 - byMs, max: summary.max - byMs };
}

/** N nodes behind HAProxy; the busiest is killed or drained for good. */
async function measureNodeLoss(opts: ReconnectOptions, variant: ReconnectVariant, log: (line: string) => void): Promise<Measurement> {
  const target = await startFailoverTarget(variant, opts.nodes, log);
  let group: LoadGroup | undefined;
  try {
    group = await LoadGroup.start(planOf(opts, variant, target.url));
    await sleep(500); // let the relays of the last items reach everyone
    const victim = await target.busiestNode();
    const { outcome } = await group.around(() => (opts.signal === 'SIGKILL' ? target.kill(victim) : target.drain(victim)));
    log(`  ${variant}: ${group.itemsShared} items shared; node${victim + 1} ${opts.signal === 'SIGKILL' ? 'killed' : 'drained'}, ${outcome.affected} clients moved`);
    return { outcome };
  } finally {
    await group?.close();
    await target.stop();
  }
}

async function run(opts: ReconnectOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const cluster = opts.nodes > 1;
  const fault = cluster ? `node ${opts.signal === 'SIGKILL' ? 'killed (kill -9)' : 'drained (SIGTERM)'} of ${opts.nodes}` : `restart with ${opts.signal}`;
  const notes: string[] = [];
  const problems: string[] = [];
  const measured = new Map<ReconnectVariant, Measurement[]>(opts.variants.map((v) => [v, []]));
  for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
    for (const variant of rotate(opts.variants, runIndex)) {
      log(`reconnect run ${runIndex + 1}/${opts.runs} ${variant}: ${opts.clients} clients in sessions of ${opts.perSession}, ` +
        `${variant === 'sdk' ? `${opts.items} items per session, ` : ''}${fault}`);
      const m = await (cluster ? measureNodeLoss : measureRestart)(opts, variant, log);
      measured.get(variant)!.push(m);
      const o = m.outcome;
      log(`  ${variant}: re-joined p50/p99/max ${o.rejoined.p50.toFixed(0)}/${o.rejoined.p99.toFixed(0)}/${o.rejoined.max.toFixed(0)} ms after the signal ` +
        (m.restart ? `(downtime ${m.restart.downtimeMs.toFixed(0)} ms, of which exit ${m.restart.exitMs.toFixed(0)} ms)` : `(${o.affected} clients moved)`) +
        `; connected again p50/p99 ${o.reconnected.p50.toFixed(0)}/${o.reconnected.p99.toFixed(0)} ms; load processes up to ${o.loadDelayMaxMs.toFixed(0)} ms late; machine ${(o.machineBusy * 100).toFixed(0)}% busy` +
        `; ${o.notRejoined} not re-joined` +
        (variant === 'sdk' ? `; items shared ${o.itemsShared}, lost ${o.itemsLost} (client views), incomplete ${o.incomplete}, read back ${o.verified}, corrupt ${o.corrupt}` : ''));
      const where = `${variant} run ${runIndex + 1}`;
      problems.push(...problemsOf(o, variant, where, opts.rejoinLimitMs));
      if (o.affected === 0) problems.push(`${where}: no client lost its connection`);
      if (o.errors.length > 0) notes.push(`${where}: errors: ${o.errors.slice(0, 3).join('; ')}`);
    }
  }
  // A smoke run that loses anything fails (so `make test` catches it); a full run reports it.
  if (opts.smoke && problems.length > 0) throw new Error(problems.join('\n'));
  notes.push(...problems);

  const rows: BenchRow[] = [];
  const f = (value: number | null, digits = 0) => (value === null ? '?' : value.toFixed(digits));
  for (const variant of opts.variants) {
    const list = measured.get(variant)!;
    const med = (get: (m: Measurement) => number | undefined) => medianOf(list.map(get)) ?? null;
    const sum = (get: (o: FaultOutcome) => number) => list.reduce((total, m) => total + get(m.outcome), 0);
    const details = {
      p50Ms: med((m) => m.outcome.rejoined.p50),
      p99Ms: med((m) => m.outcome.rejoined.p99),
      maxMs: med((m) => m.outcome.rejoined.max),
      downtimeMs: med((m) => m.restart?.downtimeMs),
      exitMs: med((m) => m.restart?.exitMs),
      fromListeningP50Ms: med((m) => m.restart?.fromListening.p50),
      fromListeningP99Ms: med((m) => m.restart?.fromListening.p99),
      fromListeningMaxMs: med((m) => m.restart?.fromListening.max),
      moved: cluster ? med((m) => m.outcome.affected) : null,
      notRejoined: sum((o) => o.notRejoined),
      itemsShared: variant === 'sdk' ? sum((o) => o.itemsShared) : null,
      itemsLost: variant === 'sdk' ? sum((o) => o.itemsLost) : null,
      incomplete: variant === 'sdk' ? sum((o) => o.incomplete) : null,
      verified: variant === 'sdk' ? sum((o) => o.verified) : null,
      corrupt: variant === 'sdk' ? sum((o) => o.corrupt) : null,
    };
    const items = variant === 'sdk'
      ? `; items lost ${details.itemsLost} of ${details.itemsShared} x ${opts.perSession} views, read back ${details.verified}/${details.itemsShared}, corrupt ${details.corrupt} (all runs)`
      : '';
    const common = cluster
      ? `clients moved ${f(details.moved)}; not re-joined ${details.notRejoined}`
      : `downtime ${f(details.downtimeMs)} ms (exit ${f(details.exitMs)}); from listening p50/p99/max ${f(details.fromListeningP50Ms)}/${f(details.fromListeningP99Ms)}/${f(details.fromListeningMaxMs)} ms; ` +
        `not re-joined ${details.notRejoined}`;
    for (const [label, get, text] of [
      ['re-joined p50', (m: Measurement) => m.outcome.rejoined.p50, `${common}${items}`],
      ['re-joined p99', (m: Measurement) => m.outcome.rejoined.p99, ''],
      ['re-joined max (all in)', (m: Measurement) => m.outcome.rejoined.max, ''],
    ] as const) {
      rows.push(makeRow({ case: label, variant, unit: 'ms (lower is better)', baseline: variant === 'sio-ours', details, runs: list.map(get), detailText: text }));
    }
  }
  if (cluster) {
    notes.push(`${opts.clients} clients in sessions of ${opts.perSession} (${opts.loadProcs} load process(es)) through HAProxy (the shipped haproxy.cfg) to ${opts.nodes} nodes; ` +
      `the busiest node ${opts.signal === 'SIGKILL' ? 'killed (kill -9)' : 'drained (SIGTERM; ShareThings waits for HAProxy to see it unready, DRAIN_TIMEOUT 5 s)'}; ` +
      'times from the signal to the re-join of each client that lost its connection (SDK: `rejoin` event; baseline: bare Socket.IO nodes, the ack of the re-sent join); ' +
      'clients use the SDK\'s reconnection defaults (1 s first delay, randomised +-50%, doubling to 5 s), websocket only');
  } else {
    notes.push(`${opts.clients} clients in sessions of ${opts.perSession} (${opts.loadProcs} load process(es)); server restarted with ${opts.signal} on the same port ` +
      `(sharethings: same DATA_DIR); times from the stop signal to each client's re-join (SDK: \`rejoin\` event; baseline: the ack of its re-sent join); ` +
      'clients use the SDK\'s reconnection defaults (1 s first delay, randomised +-50%, doubling to 5 s), websocket only, so the times are mostly the reconnection backoff and the restart (downtime = stop to listening, incl. Node + tsx start-up)');
  }
  notes.push(`sdk: each session's first client shared ${opts.items} items (half inline texts, half ${formatSize(opts.fileBytes)} files) before the ${cluster ? 'fault' : 'restart'}, all acknowledged; ` +
    'lost = items missing from a client\'s history() after its re-join, summed over clients; read back = items a fresh client read afterwards with the right SHA-256');
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
  --nodes N            1: restart the server (default); 2 or more: a cluster behind HAProxy, one node killed or drained
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
    nodes: { type: 'string' },
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
      nodes: numberValue(values, 'nodes', 1, (n) => integer(n) && n <= 5),
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
