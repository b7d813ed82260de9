/**
 * Failover: N clients (default 1,000, in sessions of 10, 10 items each)
 * through HAProxy to 3 nodes, and one fault after another on the same
 * cluster, each measured from the instant it is injected:
 *
 * - kill -9 of the busiest node: time until each of its clients has re-joined
 *   on another node (p50 / p99 / max); the node is then started again;
 * - drain (SIGTERM) of the busiest node: the same;
 * - Redis killed and restarted on its AOF: time until a text shared on one
 *   node reaches a member on another (the relay between nodes works again).
 *
 * After each fault every client lists its history and a fresh client per
 * session reads every item back by SHA-256: items lost must be 0.
 *
 * Baselines in the same run: for the node faults, bare Socket.IO nodes behind
 * the same HAProxy (clients re-send `join` on reconnection; nothing stored):
 * what the health checks and the reconnection backoff cost by themselves;
 * for Redis, redis-server answering PING again after its restart (the floor
 * of any relay through it).
 *
 *   npx tsx bench/failover.ts [--clients 1000] [--per-session 10] [--items 10] [--file-size 100k] [--nodes 3] [--runs 3]
 */
import { benchMain, numberValue, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatSize, parseSize } from './lib/format.ts';
import { sleep, type LatencySummary } from './lib/load.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { medianOf, rotate } from './lib/stats.ts';
import type { ReconnectVariant } from './reconnect/common.ts';
import { LoadGroup, problemsOf, type FaultOutcome } from './reconnect/loads.ts';
import { CrossNodeProbe } from './failover/probe.ts';
import { startFailoverTarget, type FailoverTarget } from './failover/targets.ts';

const VARIANTS: readonly ReconnectVariant[] = ['sio-ours', 'sdk'];
/** How long a relay between nodes may take to come back before the run reports it stuck. */
const RELAY_LIMIT_MS = 60_000;

interface FailoverOptions {
  clients: number;
  perSession: number;
  items: number;
  fileBytes: number;
  nodes: number;
  runs: number;
  rejoinLimitMs: number;
  loadProcs: number;
}

interface RedisRestart {
  /** Kill to redis-server answering PING again. */
  upMs: number;
  /** Kill to the first text relayed between nodes. */
  relayMs: number;
  outcome: FaultOutcome;
}

interface RunResult {
  kill: FaultOutcome;
  drain: FaultOutcome;
  redis?: RedisRestart;
}

/** One cluster, the faults in a row; the stopped node is started again before the next. */
async function measure(opts: FailoverOptions, variant: ReconnectVariant, log: (line: string) => void): Promise<RunResult> {
  const target = await startFailoverTarget(variant, opts.nodes, log);
  let group: LoadGroup | undefined;
  try {
    group = await LoadGroup.start({ variant, url: target.url, ...opts });
    await sleep(500); // let the relays of the last items reach everyone
    const loseNode = async (how: 'kill' | 'drain', revive: boolean) => {
      const victim = await target.busiestNode();
      const { outcome } = await group!.around(() => target[how](victim));
      log(`  ${variant}: ${how} node${victim + 1}: ${outcome.affected} clients moved, re-joined p50/p99/max ` +
        `${outcome.rejoined.p50.toFixed(0)}/${outcome.rejoined.p99.toFixed(0)}/${outcome.rejoined.max.toFixed(0)} ms ` +
        `(connected again p50/p99 ${outcome.reconnected.p50.toFixed(0)}/${outcome.reconnected.p99.toFixed(0)} ms; machine ${(outcome.machineBusy * 100).toFixed(0)}% busy)` +
        (variant === 'sdk' ? `; items lost ${outcome.itemsLost}, read back ${outcome.verified}/${outcome.itemsShared}` : ''));
      if (revive) await target.revive(victim);
      return { outcome, victim };
    };
    const kill = (await loseNode('kill', true)).outcome;
    const { outcome: drain, victim: drained } = await loseNode('drain', false);
    // The relay is probed between two nodes still up.
    const [one, two] = Array.from({ length: opts.nodes }, (_, i) => i).filter((i) => i !== drained);
    const redis = target.redis ? await restartRedis(target, group, [one!, two!], log) : undefined;
    return { kill, drain, redis };
  } finally {
    await group?.close();
    await target.stop();
  }
}

async function restartRedis(target: FailoverTarget, group: LoadGroup, [one, two]: [number, number], log: (line: string) => void): Promise<RedisRestart> {
  const probe = new CrossNodeProbe(target.nodeUrl(one), target.nodeUrl(two));
  try {
    await probe.join();
    // Every client is told to re-sync once its node hears from Redis again: wait for all of them.
    const { outcome, faultNs, faultResult } = await group.around(async () => {
      await target.redis!.killRedis();
      const relayed = probe.firstRelay(RELAY_LIMIT_MS);
      const upNs = await target.redis!.startRedis();
      return { upNs, relayNs: await relayed };
    }, { everyone: true });
    const upMs = (faultResult.upNs - faultNs) / 1e6;
    const relayMs = (faultResult.relayNs - faultNs) / 1e6;
    log(`  sdk: Redis restarted: answering after ${upMs.toFixed(0)} ms, relay between nodes back after ${relayMs.toFixed(0)} ms; ` +
      `${outcome.resynced.count} clients re-synced (p99 ${outcome.resynced.p99.toFixed(0)} ms, ${outcome.notResynced} not), ${outcome.affected} lost their connection; ` +
      `items lost ${outcome.itemsLost}, read back ${outcome.verified}/${outcome.itemsShared}`);
    return { upMs, relayMs, outcome };
  } finally {
    probe.close();
  }
}

const CASES = ['kill -9: re-joined p99', 'kill -9: re-joined max', 'drain: re-joined p99', 'drain: re-joined max', 'Redis restart: relay between nodes back'] as const;

function rejoinDetails(list: FaultOutcome[]) {
  const med = (get: (o: FaultOutcome) => number) => medianOf(list.map(get)) ?? null;
  return {
    p50Ms: med((o) => o.rejoined.p50),
    p99Ms: med((o) => o.rejoined.p99),
    maxMs: med((o) => o.rejoined.max),
    moved: med((o) => o.affected),
    connectedP50Ms: med((o) => o.reconnected.p50),
    connectedP99Ms: med((o) => o.reconnected.p99),
    machineBusyPercent: med((o) => o.machineBusy * 100),
    notRejoined: list.reduce((sum, o) => sum + o.notRejoined, 0),
    itemsLost: list.reduce((sum, o) => sum + o.itemsLost, 0),
    verified: list.reduce((sum, o) => sum + o.verified, 0),
    itemsShared: list.reduce((sum, o) => sum + o.itemsShared, 0),
  };
}

async function run(opts: FailoverOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const results = new Map<ReconnectVariant, RunResult[]>(VARIANTS.map((v) => [v, []]));
  const problems: string[] = [];
  const notes: string[] = [];
  for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
    for (const variant of rotate(VARIANTS, runIndex)) {
      log(`failover run ${runIndex + 1}/${opts.runs} ${variant}: ${opts.clients} clients in sessions of ${opts.perSession} through HAProxy to ${opts.nodes} nodes`);
      const result = await measure(opts, variant, log);
      results.get(variant)!.push(result);
      const where = `${variant} run ${runIndex + 1}`;
      for (const [fault, outcome] of [['kill', result.kill], ['drain', result.drain], ['Redis restart', result.redis?.outcome]] as const) {
        if (!outcome) continue;
        problems.push(...problemsOf(outcome, variant, `${where}, ${fault}`, opts.rejoinLimitMs));
        if (fault !== 'Redis restart' && outcome.affected === 0) problems.push(`${where}, ${fault}: no client lost its connection`);
        if (outcome.notResynced > 0) problems.push(`${where}, ${fault}: ${outcome.notResynced} clients were not told to re-sync`);
        if (outcome.errors.length > 0) notes.push(`${where}, ${fault}: errors: ${outcome.errors.slice(0, 3).join('; ')}`);
      }
    }
  }
  // A smoke run that loses anything or leaves a client stuck fails (so `make test` catches it).
  if (ctx.smoke && problems.length > 0) throw new Error(problems.join('\n'));
  notes.push(...problems);

  const rows: BenchRow[] = [];
  const unit = 'ms (lower is better)';
  const f = (value: number | null) => (value === null ? '?' : value.toFixed(0));
  for (const variant of VARIANTS) {
    const list = results.get(variant)!;
    const baseline = variant === 'sio-ours';
    for (const fault of ['kill', 'drain'] as const) {
      const outcomes = list.map((r) => r[fault]);
      const details = rejoinDetails(outcomes);
      const label = fault === 'kill' ? 'kill -9' : 'drain';
      const text = `p50 ${f(details.p50Ms)} ms (connected again p50/p99 ${f(details.connectedP50Ms)}/${f(details.connectedP99Ms)}); clients moved ${f(details.moved)}; ` +
        `machine ${f(details.machineBusyPercent)}% busy meanwhile; not re-joined ${details.notRejoined}` +
        (variant === 'sdk' ? `; items lost ${details.itemsLost}, read back ${details.verified}/${details.itemsShared} (all runs)` : '');
      rows.push(makeRow({ case: `${label}: re-joined p99`, variant, unit, baseline, details, runs: outcomes.map((o) => o.rejoined.p99), detailText: text }));
      rows.push(makeRow({ case: `${label}: re-joined max`, variant, unit, baseline, details, runs: outcomes.map((o) => o.rejoined.max), detailText: '' }));
    }
  }
  // Redis: the floor is redis-server itself back (measured in the sdk runs); then ShareThings' relay.
  const restarts = results.get('sdk')!.flatMap((r) => (r.redis ? [r.redis] : []));
  const resynced = (get: (s: LatencySummary) => number) => medianOf(restarts.map((r) => get(r.outcome.resynced))) ?? null;
  const redisDetails = {
    upMs: medianOf(restarts.map((r) => r.upMs)) ?? null,
    relayMs: medianOf(restarts.map((r) => r.relayMs)) ?? null,
    resyncedP99Ms: resynced((s) => s.p99),
    itemsLost: restarts.reduce((sum, r) => sum + r.outcome.itemsLost, 0),
  };
  rows.push(makeRow({ case: CASES[4], variant: 'sio-ours', unit, baseline: true, details: redisDetails, runs: restarts.map((r) => r.upMs), detailText: 'redis-server answering PING again (kill -9, restart on its AOF)' }));
  rows.push(makeRow({
    case: CASES[4], variant: 'sdk', unit, baseline: false, details: redisDetails, runs: restarts.map((r) => r.relayMs),
    detailText: `clients re-synced p99 ${f(redisDetails.resyncedP99Ms)} ms; items lost ${redisDetails.itemsLost} (all runs)`,
  }));
  notes.push(`${opts.clients} clients in sessions of ${opts.perSession} (${opts.loadProcs} load process(es)) through HAProxy (the shipped haproxy.cfg) to ${opts.nodes} nodes; ` +
    `each session's first client shared ${opts.items} items (half texts, half ${formatSize(opts.fileBytes)} files) before the faults; ` +
    'faults in a row on one cluster: kill -9 of the busiest node (then started again), SIGTERM of the busiest node (not started again) (ShareThings drains: DRAIN_TIMEOUT 5 s, it waits for HAProxy to see it unready), Redis kill -9 and restart on its AOF; ' +
    're-join times from the signal for each client that lost its connection; clients use the SDK\'s reconnection defaults (1 s first delay, randomised +-50%)');
  notes.push('Redis restart: the sdk row is the time from the kill to the first text, shared every 100 ms on node1, received on node2; the baseline row is redis-server itself answering again (measured in the same sdk runs); ' +
    'every client also re-synced (the `resync` notice: a re-join on the same connection) once its node\'s subscriber was back');
  return {
    options: { ...opts, fileBytes: formatSize(opts.fileBytes) },
    baselineVariant: 'sio-ours',
    variants: [...VARIANTS],
    cases: [...CASES],
    rows,
    notes,
  };
}

await benchMain<FailoverOptions>({
  name: 'failover',
  title: 'Failover: a node killed or drained, Redis restarted, with N clients through HAProxy; re-join times, items lost',
  usage: `npx tsx bench/failover.ts [flags]
  --clients N          clients (default 1000; smoke 15)
  --per-session N      clients per session (default 10; smoke 5)
  --items K            items shared per session before the faults, at most 50 (default 10; smoke 2)
  --file-size SIZE     size of the file items (default 100k; smoke 10k)
  --nodes N            nodes behind HAProxy, 2 to 5 (default 3)
  --runs N             runs per variant, median reported (default 3; smoke 1)
  --rejoin-limit S     stop waiting for re-joins after this long (default 60; smoke 30)
  --load-procs N       load processes (1 or 2; default 2 from 100 clients, else 1)`,
  options: {
    clients: { type: 'string' },
    'per-session': { type: 'string' },
    items: { type: 'string' },
    'file-size': { type: 'string' },
    nodes: { type: 'string' },
    runs: { type: 'string' },
    'rejoin-limit': { type: 'string' },
    'load-procs': { type: 'string' },
  },
  parse(values, smoke) {
    const integer = (n: number) => Number.isInteger(n) && n >= 1;
    const clients = numberValue(values, 'clients', smoke ? 15 : 1_000, (n) => integer(n) && n <= 5_000);
    return {
      clients,
      perSession: numberValue(values, 'per-session', smoke ? 5 : 10, (n) => integer(n) && n <= 1_000),
      items: numberValue(values, 'items', smoke ? 2 : 10, (n) => integer(n) && n <= 50),
      fileBytes: parseSize(stringValue(values, 'file-size') ?? (smoke ? '10k' : '100k')),
      nodes: numberValue(values, 'nodes', 3, (n) => integer(n) && n >= 2 && n <= 5),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => integer(n) && n <= 10),
      rejoinLimitMs: numberValue(values, 'rejoin-limit', smoke ? 30 : 60, (n) => n > 0 && n <= 600) * 1000,
      loadProcs: numberValue(values, 'load-procs', clients >= 100 ? 2 : 1, (n) => n === 1 || n === 2),
    };
  },
  run,
});
