/** Types shared by bench/reconnect.ts and its load processes. */

/**
 * - sio-ours: bare Socket.IO (reconnect/bare-server.ts) and plain socket.io-clients
 *   with the SDK's reconnection settings, re-sending `join` on every connect;
 * - sdk: the ShareThings server and ShareClients, which re-join by themselves (`rejoin` event).
 */
export const RECONNECT_VARIANTS = ['sio-ours', 'sdk'] as const;
export type ReconnectVariant = (typeof RECONNECT_VARIANTS)[number];

export interface ReconnectLoadOptions {
  variant: ReconnectVariant;
  url: string;
  /** This process runs clients first, first + step, ... below total. */
  first: number;
  step: number;
  total: number;
  /** Client i is in session floor(i / perSession); the first client of each session shares. */
  perSession: number;
  sessionPrefix: string;
  /** Items each session's sharer shares before the restart (half texts, half small files). */
  items: number;
  fileBytes: number;
  /** After `settled`: give up waiting for re-joins after this long. */
  rejoinLimitMs: number;
  timeoutMs: number;
}

export interface SharedItem {
  session: number;
  contentId: string;
  sha256: string;
}

/** What a load process saw around one fault (its `verified:n` event). */
export interface CycleResult {
  clients: number;
  /** CLOCK_MONOTONIC ns of the re-join of each client that lost its connection (null: none within the limit). */
  rejoinNs: Array<number | null>;
  /** When those clients had a connection again (before re-joining on it). */
  connectedNs: number[];
  /** SDK: re-joins of clients that kept their connection (the server's re-sync notice). */
  resyncNs: number[];
  /** Clients whose re-join failed for good (session-rejoin-failed). */
  rejoinFailed: number;
  /** The longest this load process was late running its callbacks between the fault and the re-joins. */
  loopDelayMaxMs: number;
  /** SDK: per client, its session and the ids history() listed after the re-join, and how many were not complete. */
  seen: Array<{ session: number; ids: string[]; incomplete: number }>;
  /** SDK: items shared by this process's sharers. */
  shared: SharedItem[];
  /** SDK: a fresh client per session read every shared item after the fault: how many matched their SHA-256. */
  verified: number;
  corrupt: string[];
  errors: string[];
}
