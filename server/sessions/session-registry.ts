/**
 * Who is in which session, on this node. A session exists while it has
 * members: it is created by the first join and deleted when the last leaves.
 */
import type { ClientInfo } from '../../protocol/events.ts';

interface Session {
  createdAt: number;
  /** socket id -> display name, in join order. */
  members: Map<string, string>;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  /** Adds a member; joining again only updates the name. */
  join(sessionId: string, clientId: string, name: string): { created: boolean; alreadyMember: boolean } {
    let session = this.sessions.get(sessionId);
    const created = session === undefined;
    if (!session) {
      session = { createdAt: Date.now(), members: new Map() };
      this.sessions.set(sessionId, session);
    }
    const alreadyMember = session.members.has(clientId);
    session.members.set(clientId, name);
    return { created, alreadyMember };
  }

  /** Removes a member; returns false when it was not one. Empty sessions are deleted. */
  leave(sessionId: string, clientId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (!session?.members.delete(clientId)) return false;
    if (session.members.size === 0) this.sessions.delete(sessionId);
    return true;
  }

  isMember(sessionId: string, clientId: string): boolean {
    return this.sessions.get(sessionId)?.members.has(clientId) ?? false;
  }

  nameOf(sessionId: string, clientId: string): string | undefined {
    return this.sessions.get(sessionId)?.members.get(clientId);
  }

  members(sessionId: string): ClientInfo[] {
    const session = this.sessions.get(sessionId);
    if (!session) return [];
    return [...session.members].map(([id, name]) => ({ id, name }));
  }

  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}
