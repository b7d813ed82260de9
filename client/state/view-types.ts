/** Plain data shapes shared by the state modules and the elements (no SDK types leak into elements). */

/**
 * idle: not in a session; joining: deriving keys and joining; rejoin-failed:
 * the connection is back but the session refused to take us again.
 */
export type ConnectionState = 'idle' | 'joining' | 'connected' | 'reconnecting' | 'offline' | 'rejoin-failed';

export interface Member {
  id: string;
  name: string;
}

export interface JoinRequest {
  /** `join` never creates a session: a mistyped id is refused (NOT_FOUND). */
  mode: 'create' | 'join';
  sessionId: string;
  passphrase: string;
  name: string;
  /** Keep the passphrase on this device (the person opted in). */
  remember: boolean;
}

export interface Session {
  sessionId: string;
  /** Kept in memory while in the session, for the invitation link. */
  passphrase: string;
  name: string;
  fingerprint: string;
  created: boolean;
}

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}
