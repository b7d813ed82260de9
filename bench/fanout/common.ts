/** Types shared by bench/fanout.ts and its processes. */

/**
 * - ws-raw: fanout/ws-server.ts, a raw `ws` server that forwards the sender's
 *   binary messages to every receiver and acks once all the copies are written;
 * - sdk: the ShareThings server, a ShareClient sender and ShareClient receivers.
 */
export const FANOUT_VARIANTS = ['ws-raw', 'sdk'] as const;
export type FanoutVariant = (typeof FANOUT_VARIANTS)[number];

export interface FanoutPeerOptions {
  role: 'sender' | 'receivers';
  variant: FanoutVariant;
  url: string;
  sessionId: string;
  /** Receivers: how many connections (ShareClients) this process holds. */
  receivers: number;
  /** Their names start at this index (for distinct client names across processes). */
  firstIndex: number;
  /** Plaintext bytes of the one item; every chunk but the last is chunkSize. */
  size: number;
  chunkSize: number;
  window: number;
  timeoutMs: number;
}

export interface FanoutSenderResult {
  /** CLOCK_MONOTONIC ns: just before the first chunk was produced. */
  startNs: number;
  /** The server acknowledged every chunk. */
  endNs: number;
  chunks: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface FanoutReceiversResult {
  /** Per receiver: bytes and the time its last chunk was read. */
  receivers: Array<{ bytes: number; chunks: number; lastNs: number }>;
  /** Delivery latencies (ms) of every chunk at every receiver of this process (thinned past a bound). */
  latenciesMs: number[];
  latencyCount: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/** Chunks carry their send time (CLOCK_MONOTONIC ns, float64 LE) in their first 8 bytes. */
export const STAMP_BYTES = 8;
