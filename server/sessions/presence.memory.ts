/** Presence on a single node: every member is connected here. */
import { ProtocolError } from '../../protocol/errors.ts';
import type { ClientInfo } from '../../protocol/events.ts';
import { inJoinOrder, type Presence } from './presence.ts';

export class MemoryPresence implements Presence {
  /** session id -> (client id -> join order and display name). */
  private readonly sessions = new Map<string, Map<string, { order: number; name: string }>>();
  private order = 0;

  async join(sessionId: string, member: ClientInfo, capacity: number): Promise<{ alreadyMember: boolean; members: ClientInfo[] }> {
    let members = this.sessions.get(sessionId);
    const existing = members?.get(member.id);
    if (!existing && (members?.size ?? 0) >= capacity) {
      throw new ProtocolError('SESSION_FULL', `A session holds at most ${capacity} members`);
    }
    if (!members) {
      members = new Map();
      this.sessions.set(sessionId, members);
    }
    members.set(member.id, { order: existing?.order ?? ++this.order, name: member.name });
    return { alreadyMember: existing !== undefined, members: inJoinOrder(members) };
  }

  async leave(sessionId: string, clientId: string): Promise<boolean> {
    const members = this.sessions.get(sessionId);
    if (!members?.delete(clientId)) return false;
    if (members.size === 0) this.sessions.delete(sessionId);
    return true;
  }

  async members(sessionId: string): Promise<ClientInfo[]> {
    return inJoinOrder(this.sessions.get(sessionId) ?? []);
  }

  async hasMembers(sessionId: string): Promise<boolean> {
    return this.sessions.has(sessionId);
  }

  localSessions(): string[] {
    return [...this.sessions.keys()];
  }

  localSessionCount(): number {
    return this.sessions.size;
  }

  spansNodes(): boolean {
    return false;
  }

  noteMembersElsewhere(): void {
    // One node: there is no elsewhere.
  }

  onMembersExpired(): void {
    // One node: members only leave by leaving or disconnecting.
  }

  onEvicted(): void {
    // One node: nobody else can find it dead.
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}
