/** Types shared by bench/connections.ts and its load processes. */

/**
 * - sio-ours: a bare Socket.IO server with our parser (relay/server.ts): connect, then
 *   one `join` that puts the socket in a room; no validation, no store, no keys;
 * - sharethings: the real server: connect, join-challenge, Ed25519 proof, join.
 */
export const CONNECTION_VARIANTS = ['sio-ours', 'sharethings'] as const;
export type ConnectionVariant = (typeof CONNECTION_VARIANTS)[number];

export interface ConnectionLoadOptions {
  variant: ConnectionVariant;
  url: string;
  /** This process opens clients first, first + step, first + 2 step, ... below total. */
  first: number;
  step: number;
  total: number;
  /** Client i joins session floor(i / clientsPerSession). */
  clientsPerSession: number;
  /** Prefix of the session ids (unique per run). */
  sessionPrefix: string;
  /** Connect+join attempts this process keeps in flight while ramping. */
  concurrency: number;
  /** The ramp stops here even if not every client is in. */
  rampLimitMs: number;
  timeoutMs: number;
}

export interface ConnectionRampEvent {
  connected: number;
  failed: number;
  rampStartNs: number;
  rampEndNs: number;
  cpuSeconds: number;
}

export interface ConnectionLoadResult extends ConnectionRampEvent {
  /** Still connected when told to stop (after the idle measurement). */
  stillConnected: number;
  /** Handshake to `connect`, and connect to the join's ack (ms), thinned past a bound. */
  connectMs: number[];
  joinMs: number[];
  /** The first few failure messages. */
  errors: string[];
  peakRssBytes: number;
}
