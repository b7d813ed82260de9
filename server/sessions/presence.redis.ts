/**
 * Presence in a cluster: every member in Redis with the node it is connected
 * to, so every node sees every member and SESSION_FULL holds across nodes.
 *
 * Nodes prove they are alive with a heartbeat (a score in a sorted set, on
 * Redis' clock). Each node also looks for nodes whose heartbeat is older than
 * NODE_TIMEOUT: their members are removed at once with the check (so only one
 * node announces it) and their sessions are told `client-left`. A node that
 * finds itself removed (it hung, or lost Redis for too long) sends its clients
 * to reconnect, so they come back as members again, here or elsewhere.
 *
 * A node judges the others only after it has itself been beating for a whole
 * NODE_TIMEOUT: after a Redis outage (or failover) every heartbeat is old, and
 * the first node back must not take the others, which are about to beat
 * again, for dead.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProtocolError } from '../../protocol/errors.ts';
import type { ClientInfo } from '../../protocol/events.ts';
import { ConfigError } from '../config-values.ts';
import { describeError, type Logger } from '../log.ts';
import type { RedisKeys } from '../cluster/keys.ts';
import { guarded } from '../cluster/unavailable.ts';
import { inJoinOrder, type Presence } from './presence.ts';
import { HEARTBEAT, JOIN, LEAVE, REAP, REGISTER } from './presence.redis-scripts.ts';

type Expired = (sessionId: string, clientIds: string[]) => void;

/** Members as stored: client id -> JSON [join order, node id, name]. */
function parseMembers(flat: string[]): ClientInfo[] {
  const entries: Array<[string, { order: number; name: string }]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [order, , name] = JSON.parse(flat[i + 1]!) as [number, string, string];
    entries.push([flat[i]!, { order, name }]);
  }
  return inJoinOrder(entries);
}

export class RedisPresence implements Presence {
  /** This node's members: session id -> client ids. */
  private readonly local = new Map<string, Set<string>>();
  /** Of this node's sessions: whether members are connected to other nodes too. */
  private readonly elsewhere = new Map<string, boolean>();
  private readonly expiredListeners: Expired[] = [];
  /** Found before anyone listened (this node's own leftovers, at start). */
  private readonly pendingExpired: Array<[string, string[]]> = [];
  private readonly evictedListeners: Array<() => void> = [];
  /** Leaves that could not reach Redis: tried again at every heartbeat, so no member stays behind. */
  private readonly pendingLeaves: Array<[string, string]> = [];
  private timer: NodeJS.Timeout | undefined;
  /** This incarnation's token: its heartbeats count only with it (presence.redis-scripts.ts). */
  private token = '';
  private ticking = false;
  /** Since when this node's heartbeats have all gone through (undefined after a failure). */
  private steadySince: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly nodeTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  private get heartbeatMs(): number {
    return Math.max(200, Math.floor(this.nodeTimeoutMs / 5));
  }

  /**
   * Joins the cluster: refuses a NODE_ID another live node uses, removes what
   * an earlier run of this node left (its members are announced as left),
   * then beats.
   */
  async start(): Promise<void> {
    const seen = await this.redis.zscore(this.keys.nodes, this.nodeId);
    if (seen !== null) {
      // Fresh: a crashed earlier run of this node, or another node with the same id. Only the latter keeps beating.
      await new Promise((resolve) => setTimeout(resolve, this.heartbeatMs * 2 + 100));
      const again = await this.redis.zscore(this.keys.nodes, this.nodeId);
      if (again !== null && again !== seen) {
        throw new ConfigError(`NODE_ID "${this.nodeId}" is in use by another running node: give every node its own NODE_ID`);
      }
    }
    for (const expired of await this.reap(this.nodeId)) this.pendingExpired.push(expired);
    await this.register();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  async join(sessionId: string, member: ClientInfo, capacity: number): Promise<{ alreadyMember: boolean; members: ClientInfo[] }> {
    const keys = [this.keys.members(sessionId), this.keys.memberNodes(sessionId), this.keys.nodeSessions(this.nodeId), this.keys.memberOrder];
    const reply = (await guarded('Redis', this.log, 'join', () =>
      JOIN.run(this.redis, keys, [member.id, this.nodeId, member.name, capacity, sessionId]),
    )) as [string, number, string[], string[]];
    if (reply[0] === 'FULL') throw new ProtocolError('SESSION_FULL', `A session holds at most ${capacity} members`);
    const [, already, flat, nodes] = reply;
    let ids = this.local.get(sessionId);
    if (!ids) this.local.set(sessionId, (ids = new Set()));
    ids.add(member.id);
    this.elsewhere.set(sessionId, nodes.some((node) => node !== this.nodeId));
    return { alreadyMember: already === 1, members: parseMembers(flat) };
  }

  async leave(sessionId: string, clientId: string): Promise<boolean> {
    const ids = this.local.get(sessionId);
    if (ids?.delete(clientId) && ids.size === 0) {
      this.local.delete(sessionId);
      this.elsewhere.delete(sessionId);
    }
    try {
      return await this.removeMember(sessionId, clientId);
    } catch (error) {
      // The connection has left; presence follows as soon as Redis answers, and the others are told then.
      this.log.debug('leave queued until Redis answers', { error: describeError(error) });
      this.pendingLeaves.push([sessionId, clientId]);
      return false;
    }
  }

  private async removeMember(sessionId: string, clientId: string): Promise<boolean> {
    const keys = [this.keys.members(sessionId), this.keys.memberNodes(sessionId)];
    return (await LEAVE.run(this.redis, keys, [clientId, sessionId, this.keys.prefix])) === 1;
  }

  async members(sessionId: string): Promise<ClientInfo[]> {
    return parseMembers(await guarded('Redis', this.log, 'members', () => this.redis.hgetall(this.keys.members(sessionId)).then(flatten)));
  }

  async hasMembers(sessionId: string): Promise<boolean> {
    return (await guarded('Redis', this.log, 'members', () => this.redis.exists(this.keys.members(sessionId)))) === 1;
  }

  localSessions(): string[] {
    return [...this.local.keys()];
  }

  localSessionCount(): number {
    return this.local.size;
  }

  spansNodes(sessionId: string): boolean {
    // Unknown here: assume so, delivering to every node is always correct.
    return this.elsewhere.get(sessionId) ?? true;
  }

  /** A broadcast for the session came from another node: it has members there. */
  noteMembersElsewhere(sessionId: string): void {
    if (this.local.has(sessionId)) this.elsewhere.set(sessionId, true);
  }

  onMembersExpired(listener: Expired): void {
    this.expiredListeners.push(listener);
    for (const [sessionId, ids] of this.pendingExpired.splice(0)) listener(sessionId, ids);
  }

  onEvicted(listener: () => void): void {
    this.evictedListeners.push(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.reap(this.nodeId).catch(() => undefined);
    this.local.clear();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.beat();
      const now = Date.now();
      this.steadySince ??= now;
      const expired = now - this.steadySince >= this.nodeTimeoutMs ? await this.reapDead() : [];
      for (const [sessionId, clientId] of this.pendingLeaves.splice(0)) {
        if (await this.removeMember(sessionId, clientId).catch(() => (this.pendingLeaves.push([sessionId, clientId]), false))) {
          expired.push([sessionId, [clientId]]);
        }
      }
      for (const [sessionId, ids] of expired) for (const listener of this.expiredListeners) listener(sessionId, ids);
      await this.refreshElsewhere();
    } catch (error) {
      this.steadySince = undefined;
      this.log.debug('presence heartbeat failed', { error: describeError(error) });
    } finally {
      this.ticking = false;
    }
  }

  private async register(): Promise<void> {
    this.token = randomBytes(12).toString('hex');
    await REGISTER.run(this.redis, [this.keys.nodes, this.keys.nodeTokens], [this.nodeId, this.token]);
  }

  private async beat(): Promise<void> {
    if ((await HEARTBEAT.run(this.redis, [this.keys.nodes, this.keys.nodeTokens], [this.nodeId, this.token])) === 1) return;
    // Found dead meanwhile (hung, or cut off from Redis): our members are gone from every session.
    this.local.clear();
    this.elsewhere.clear();
    for (const listener of this.evictedListeners) listener();
    await this.register();
  }

  /** Removes the members of the nodes that stopped beating (this one excepted: it just beat); returns them by session. */
  private reapDead(): Promise<Array<[string, string[]]>> {
    return this.reap(undefined);
  }

  /** Removes the members of `node` whatever its heartbeat, or (undefined) of every node found dead. */
  private async reap(node: string | undefined): Promise<Array<[string, string[]]>> {
    const args = [this.nodeTimeoutMs, this.keys.prefix, node === undefined ? '0' : '1', node ?? ''];
    const reply = (await REAP.run(this.redis, [this.keys.nodes, this.keys.nodeTokens], args)) as Array<string | string[]>;
    const removed: Array<[string, string[]]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) removed.push([reply[i] as string, reply[i + 1] as string[]]);
    if (node === undefined && removed.length > 0) this.log.warn('removed the members of a node that stopped', { sessions: removed.length });
    return removed;
  }

  private async refreshElsewhere(): Promise<void> {
    const sessions = [...this.local.keys()];
    if (sessions.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const sessionId of sessions) pipeline.hkeys(this.keys.memberNodes(sessionId));
    const replies = (await pipeline.exec()) ?? [];
    sessions.forEach((sessionId, i) => {
      const [error, nodes] = replies[i] ?? [];
      if (!error && this.local.has(sessionId)) this.elsewhere.set(sessionId, (nodes as string[]).some((node) => node !== this.nodeId));
    });
  }
}

function flatten(record: Record<string, string>): string[] {
  return Object.entries(record).flat();
}
