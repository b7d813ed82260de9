/**
 * Presence: who is connected to which session. On one node it lives in
 * memory (presence.memory.ts); in a cluster, in Redis with each member's
 * node, so every node sees every member and a dead node's members leave
 * (presence.redis.ts). Sessions themselves (their verifier, their items) are
 * the content store's.
 */
import type { ClientInfo } from '../../protocol/events.ts';

export interface Presence {
  /**
   * Adds a member (joining again only updates the name), unless the session
   * already has `capacity` members: then SESSION_FULL. Returns the members in
   * join order, the joiner included.
   */
  join(sessionId: string, member: ClientInfo, capacity: number): Promise<{ alreadyMember: boolean; members: ClientInfo[] }>;
  /** Removes a member; false when it was not one (it left already, or its node was found dead). */
  leave(sessionId: string, clientId: string): Promise<boolean>;
  members(sessionId: string): Promise<ClientInfo[]>;
  /** Whether anyone, on any node, is in the session. */
  hasMembers(sessionId: string): Promise<boolean>;
  /** Sessions with a member connected to this node. */
  localSessions(): string[];
  /** How many: localSessions().length without the list (read by every /healthz). */
  localSessionCount(): number;
  /**
   * Whether members of the session may be connected to other nodes. Read
   * for every relayed chunk, so it answers from memory; it may lag a join
   * elsewhere by a moment (such a member fetches what it was not pushed).
   */
  spansNodes(sessionId: string): boolean;
  /** A broadcast for the session arrived from another node: it has members there. */
  noteMembersElsewhere(sessionId: string): void;
  /** Another node was found dead and its members removed: the app tells the sessions (`client-left`). */
  onMembersExpired(listener: (sessionId: string, clientIds: string[]) => void): void;
  /** This node was found dead by the others (no heartbeat for too long): its connections must start over. */
  onEvicted(listener: () => void): void;
  /** Stops the heartbeat and removes this node's members. */
  close(): Promise<void>;
}

/** Members in join order, from a map of id -> (order, name). */
export function inJoinOrder(members: Iterable<[string, { order: number; name: string }]>): ClientInfo[] {
  return [...members].sort(([, a], [, b]) => a.order - b.order).map(([id, { name }]) => ({ id, name }));
}
