/**
 * The parent side of reconnect/load.ts: starts the load processes, has every
 * client join and each session's sharer share its items, then runs cycles
 * around faults (a restart, a node killed or drained, Redis restarted) and
 * sums up what the clients saw: re-join times from the fault, items lost.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { nowNs } from '../lib/child.ts';
import { summarise, waitForEvent } from '../lib/load.ts';
import { spawnTs, stopAll, type TsChild } from '../lib/proc.ts';
import { machineBusySeconds } from '../lib/sysinfo.ts';
import type { CycleResult, ReconnectLoadOptions, ReconnectVariant } from './common.ts';

export interface LoadPlan {
  variant: ReconnectVariant;
  url: string;
  clients: number;
  perSession: number;
  items: number;
  fileBytes: number;
  rejoinLimitMs: number;
  loadProcs: number;
}

/** What the clients saw around one fault, all clients of all load processes. */
export interface FaultOutcome {
  /** Re-join times (ms from the fault) of the clients that lost their connection. */
  rejoined: ReturnType<typeof summarise>;
  /** When they were connected again, before re-joining: the rest of the re-join time is the server's and client's work. */
  reconnected: ReturnType<typeof summarise>;
  /** Clients that lost their connection. */
  affected: number;
  notRejoined: number;
  rejoinFailed: number;
  /** The longest a load process was late running its callbacks meanwhile (the clients' own share of the times). */
  loadDelayMaxMs: number;
  /** How busy the machine's cores were from the fault to the last re-join (0-1; NaN off Linux). */
  machineBusy: number;
  /** SDK: re-joins on the server's re-sync notice (no connection lost), ms from the fault. */
  resynced: ReturnType<typeof summarise> & { count: number };
  /** Waiting for everyone: clients that kept their connection and did not re-sync. */
  notResynced: number;
  itemsShared: number;
  /** Items missing from a client's history() after the fault, summed over clients. */
  itemsLost: number;
  incomplete: number;
  /** Items a fresh client read back with the right SHA-256. */
  verified: number;
  corrupt: number;
  errors: string[];
}

export class LoadGroup {
  #cycles = 0;

  private constructor(
    readonly plan: LoadPlan,
    private readonly loads: TsChild[],
    /** Items acknowledged before the first fault. */
    readonly itemsShared: number,
  ) {}

  static async start(plan: LoadPlan): Promise<LoadGroup> {
    const loads: TsChild[] = [];
    try {
      const sessionPrefix = `reconnect-${randomUUID().slice(0, 8)}`;
      for (let first = 0; first < plan.loadProcs; first++) {
        const options: ReconnectLoadOptions = {
          variant: plan.variant, url: plan.url, first, step: plan.loadProcs, total: plan.clients, perSession: plan.perSession, sessionPrefix,
          items: plan.items, fileBytes: plan.fileBytes, rejoinLimitMs: plan.rejoinLimitMs, timeoutMs: 30 * 60_000,
        };
        loads.push(spawnTs('bench/reconnect/load.ts', { label: `${plan.variant} load ${first}`, options }));
      }
      await Promise.all(loads.map((load) => load.ready(60_000)));
      const all = (command: string, event: string) => {
        for (const load of loads) load.send(command);
        return Promise.all(loads.map((load) => waitForEvent<{ count?: number; items?: number }>(load, event, 180_000)));
      };
      await all('go', 'joined');
      const shared = await all('share', 'shared');
      return new LoadGroup(plan, loads, shared.reduce((sum, s) => sum + (s.items ?? 0), 0));
    } catch (error) {
      await stopAll(loads, 5_000);
      throw error;
    }
  }

  /**
   * Runs `fault` (resolving once the fault is over: the server back, the node
   * gone), waits until every client that lost its connection has re-joined,
   * and checks every client's history. Times are from the call. With
   * `everyone`, waits for every client to re-join, connection lost or not
   * (after a Redis outage each is told to re-sync).
   */
  async around<T>(fault: () => Promise<T>, options: { everyone?: boolean } = {}): Promise<{ outcome: FaultOutcome; faultNs: number; faultResult: T }> {
    const cycle = ++this.#cycles;
    for (const load of this.loads) load.send('fault');
    await Promise.all(this.loads.map((load) => waitForEvent(load, `watching:${cycle}`, 30_000)));
    const faultNs = nowNs();
    const busyBefore = machineBusySeconds();
    const faultResult = await fault();
    const limit = this.plan.rejoinLimitMs + 60_000;
    for (const load of this.loads) load.send(options.everyone ? 'settled-all' : 'settled');
    await Promise.all(this.loads.map((load) => waitForEvent(load, `rejoined:${cycle}`, limit)));
    const busy = (machineBusySeconds() ?? NaN) - (busyBefore ?? NaN);
    const machineBusy = busy / ((nowNs() - faultNs) / 1e9) / os.cpus().length;
    for (const load of this.loads) load.send('verify');
    const results = await Promise.all(this.loads.map((load) => waitForEvent<CycleResult>(load, `verified:${cycle}`, 300_000)));
    const outcome = { ...outcomeOf(results, faultNs), machineBusy };
    if (!options.everyone) outcome.notResynced = 0;
    return { outcome, faultNs, faultResult };
  }

  async close(): Promise<void> {
    for (const load of this.loads) load.send('done');
    await Promise.all(this.loads.map((load) => load.result(30_000).catch(() => undefined)));
    await stopAll(this.loads, 5_000);
  }
}

function outcomeOf(results: CycleResult[], faultNs: number): Omit<FaultOutcome, 'machineBusy'> {
  const fromFault = (ns: number) => (ns - faultNs) / 1e6;
  const rejoinNs = results.flatMap((r) => r.rejoinNs);
  const rejoins = rejoinNs.filter((ns): ns is number => ns !== null);
  const resyncs = results.flatMap((r) => r.resyncNs);
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
  return {
    rejoined: summarise(rejoins.map(fromFault)),
    reconnected: summarise(results.flatMap((r) => r.connectedNs).map(fromFault)),
    affected: rejoinNs.length,
    notRejoined: rejoinNs.length - rejoins.length,
    rejoinFailed: results.reduce((sum, r) => sum + r.rejoinFailed, 0),
    loadDelayMaxMs: Math.max(...results.map((r) => r.loopDelayMaxMs)),
    resynced: { ...summarise(resyncs.map(fromFault)), count: resyncs.length },
    notResynced: results.reduce((sum, r) => sum + r.clients, 0) - rejoinNs.length - resyncs.length,
    itemsShared: [...sharedBySession.values()].reduce((sum, set) => sum + set.size, 0),
    itemsLost,
    incomplete,
    verified: results.reduce((sum, r) => sum + r.verified, 0),
    corrupt: results.reduce((sum, r) => sum + r.corrupt.length, 0),
    errors: results.flatMap((r) => r.errors),
  };
}

/** What a fault lost or left stuck (empty: nothing), for the bench's notes, or to fail a smoke run. */
export function problemsOf(outcome: FaultOutcome, variant: ReconnectVariant, where: string, rejoinLimitMs: number): string[] {
  const problems: string[] = [];
  if (outcome.notRejoined > 0) {
    problems.push(`${where}: ${outcome.notRejoined} of ${outcome.affected} clients did not re-join within ${rejoinLimitMs / 1000} s (${outcome.rejoinFailed} failed for good)`);
  }
  if (variant === 'sdk') {
    if (outcome.itemsLost > 0) problems.push(`${where}: ${outcome.itemsLost} item views LOST (an item missing from a client's history)`);
    if (outcome.corrupt > 0) problems.push(`${where}: ${outcome.corrupt} items read back with the wrong SHA-256`);
    if (outcome.verified !== outcome.itemsShared) problems.push(`${where}: ${outcome.verified} of ${outcome.itemsShared} items read back intact by a fresh client`);
    if (outcome.incomplete > 0) problems.push(`${where}: ${outcome.incomplete} item views not complete after the re-join`);
  }
  return problems;
}
