/**
 * Who is connected to which session, on this node. Sessions themselves (and
 * their verifier) live in the content store; this only tracks presence.
 */
import type { ClientInfo } from '../../protocol/events.ts';

export class SessionRegistry {
  /** session id -> (socket id -> display name), in join order. */
  private readonly sessions = new Map<string, Map<string, string>>();

  /** Adds a member; joining again only updates the name. Returns whether it was a member already. */
  join(sessionId: string, clientId: string, name: string): { alreadyMember: boolean } {
    let members = this.sessions.get(sessionId);
    if (!members) {
      members = new Map();
      this.sessions.set(sessionId, members);
    }
    const alreadyMember = members.has(clientId);
    members.set(clientId, name);
    return { alreadyMember };
  }

  /** Removes a member; returns false when it was not one. */
  leave(sessionId: string, clientId: string): boolean {
    const members = this.sessions.get(sessionId);
    if (!members?.delete(clientId)) return false;
    if (members.size === 0) this.sessions.delete(sessionId);
    return true;
  }

  nameOf(sessionId: string, clientId: string): string | undefined {
    return this.sessions.get(sessionId)?.get(clientId);
  }

  members(sessionId: string): ClientInfo[] {
    return [...(this.sessions.get(sessionId) ?? [])].map(([id, name]) => ({ id, name }));
  }

  hasMembers(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** Sessions with at least one member connected here. */
  activeSessions(): string[] {
    return [...this.sessions.keys()];
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}
