/**
 * Sessions on this node: their join verifier and who is in them. A session is
 * created by the first join, with that join's verifier, and deleted when the
 * last member leaves.
 */
import type { ClientInfo } from '../../protocol/events.ts';

interface Session {
  createdAt: number;
  /** Ed25519 public key derived from the passphrase: checks proofs, cannot make them. */
  verifier: Uint8Array;
  /** socket id -> display name, in join order. */
  members: Map<string, string>;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  /** The verifier a join must prove against, if the session exists. */
  verifierOf(sessionId: string): Uint8Array | undefined {
    return this.sessions.get(sessionId)?.verifier;
  }

  /**
   * Adds a member whose proof was checked against `verifier`. Creates the
   * session when absent; joining again only updates the name.
   */
  join(
    sessionId: string,
    clientId: string,
    name: string,
    verifier: Uint8Array,
  ): { created: boolean; alreadyMember: boolean } {
    let session = this.sessions.get(sessionId);
    const created = session === undefined;
    if (!session) {
      session = { createdAt: Date.now(), verifier: Uint8Array.from(verifier), members: new Map() };
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

  nameOf(sessionId: string, clientId: string): string | undefined {
    return this.sessions.get(sessionId)?.members.get(clientId);
  }

  members(sessionId: string): ClientInfo[] {
    const session = this.sessions.get(sessionId);
    if (!session) return [];
    return [...session.members].map(([id, name]) => ({ id, name }));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}
