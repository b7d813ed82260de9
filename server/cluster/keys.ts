/**
 * Every Redis key and channel of ShareThings, in one place. Ids are from
 * [A-Za-z0-9_-] (protocol/limits.ts), so ":" cannot appear inside one.
 * Multi-key scripts touch several of these at once: Redis Cluster (sharded)
 * is not supported; run one Redis primary (with Sentinel for failover).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Hash: verifier, created, active, bytes, items, lastTs, blobs. */
  session(sessionId: string): string {
    return `${this.prefix}session:${sessionId}`;
  }
  /** Sorted set: session id -> last activity (ms). */
  get sessions(): string {
    return `${this.prefix}sessions`;
  }
  /** Sorted set: content id -> timeline score (pinned first, then newest first). */
  timeline(sessionId: string): string {
    return `${this.prefix}timeline:${sessionId}`;
  }
  /** Hash: meta, pinned, name, total, received, bytes, gen, ts, active, blobs. */
  item(sessionId: string, contentId: string): string {
    return `${this.prefix}item:${sessionId}:${contentId}`;
  }
  /** Bitmap: one bit per stored chunk. */
  chunks(sessionId: string, contentId: string): string {
    return `${this.prefix}chunks:${sessionId}:${contentId}`;
  }
  /** Sorted set: `session:content` of unfinished uploads -> last activity (ms). */
  get uploads(): string {
    return `${this.prefix}uploads`;
  }
  /** Sorted set: object key prefixes to delete -> when they were deleted (ms). */
  get trash(): string {
    return `${this.prefix}trash`;
  }
  /** Hash: client id -> JSON [join order, node, name]. */
  members(sessionId: string): string {
    return `${this.prefix}members:${sessionId}`;
  }
  /** Hash: node id -> members of the session connected to it. */
  memberNodes(sessionId: string): string {
    return `${this.prefix}member-nodes:${sessionId}`;
  }
  /** Set: sessions with members connected to the node. */
  nodeSessions(nodeId: string): string {
    return `${this.prefix}node-sessions:${nodeId}`;
  }
  /** Sorted set: node id -> last heartbeat (ms). */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }
  /** Hash: node id -> the token of its current incarnation (its heartbeats count only with it). */
  get nodeTokens(): string {
    return `${this.prefix}node-tokens`;
  }
  /** Counter giving members their join order. */
  get memberOrder(): string {
    return `${this.prefix}member-order`;
  }
  /** Prefix of the rate counters' keys (rate-limiter-flexible adds the counter's own). */
  limits(name: string): string {
    return `${this.prefix}limit:${name}`;
  }
  lease(name: string): string {
    return `${this.prefix}lease:${name}`;
  }
  /** String: the secret keying session tags in logs, when LOG_TAG_SECRET is unset (log-tag-secret.ts). */
  get logTagSecret(): string {
    return `${this.prefix}log-tag-secret`;
  }
  /** The Socket.IO Redis adapter's channel prefix. */
  get adapterChannel(): string {
    return `${this.prefix}socket.io`;
  }
}

export const uploadMember = (sessionId: string, contentId: string) => `${sessionId}:${contentId}`;

export function parseUploadMember(member: string): { sessionId: string; contentId: string } {
  const colon = member.indexOf(':');
  return { sessionId: member.slice(0, colon), contentId: member.slice(colon + 1) };
}
