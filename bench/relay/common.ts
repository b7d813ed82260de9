/** Types shared by the relay benchmark (bench/relay.ts) and its processes. */

/**
 * - ws-raw: a `ws` server forwarding each binary message to the other client (the ceiling);
 * - ws-file: the same, also appending each message to a file before acknowledging
 *   it (relay/append-file.ts): the ceiling for a relay that stores everything;
 * - sio-default: a bare Socket.IO server, default parser (binary attachments);
 * - sio-msgpack: the same with the stock socket.io-msgpack-parser;
 * - sio-ours: the same with protocol/parser.ts, the adapter ShareThings runs
 *   (server/io/binary-frame-adapter.ts: broadcasts chunks without a copy) and
 *   its Node clients' transport (client/sdk/node-websocket.ts: masks in place);
 * - sio-ours-copy: protocol/parser.ts alone, with Socket.IO's stock adapter
 *   and transport, which copy each chunk (not run unless asked for);
 * - sharethings: the real server (server/main.ts), real protocol.
 */
export const RELAY_VARIANTS = ['ws-raw', 'ws-file', 'sio-default', 'sio-msgpack', 'sio-ours', 'sio-ours-copy', 'sharethings'] as const;
export type RelayVariant = (typeof RELAY_VARIANTS)[number];
/** What `make bench` and a bare `bench/relay.ts` run. */
export const DEFAULT_RELAY_VARIANTS: readonly RelayVariant[] = ['ws-raw', 'ws-file', 'sio-default', 'sio-msgpack', 'sio-ours', 'sharethings'];
export type BareVariant = Exclude<RelayVariant, 'sharethings'>;

/**
 * ShareThings' per-connection rate limits (EVENTS_PER_SOCKET, 2000 per 10 s by
 * default) cap one sender far below what the relay can do; `lifted` raises
 * them to their maximum so the relay itself is measured, `shipped` keeps the defaults.
 * SOCKET_BUFFER_BYTES is flow control, not a cap, and stays as shipped: a
 * receiver that falls that far behind gets `chunk-available` and fetches.
 */
export const LIFTED_LIMITS_ENV: Record<string, string> = {
  EVENTS_PER_SOCKET: '100000000',
  BYTES_PER_SOCKET: String(1024 ** 5),
};

export interface RelayServerOptions {
  variant: BareVariant;
  /** Largest message accepted (like ShareThings' MAX_HTTP_BUFFER_SIZE). */
  maxPayload: number;
}

export interface RelayClientOptions {
  role: 'sender' | 'receiver';
  variant: RelayVariant;
  url: string;
  /** Socket.IO room / ShareThings session id, unique per run. */
  room: string;
  chunkSize: number;
  messages: number;
  /** Messages the sender keeps in flight (unacknowledged by the server). */
  window: number;
  timeoutMs: number;
  /** Receiver: CPU time to burn per chunk (µs), standing in for decryption on a slow device. */
  receiverWorkUs: number;
  /** Sender: CPU time to burn before each chunk (µs), standing in for reading and encrypting in a browser. */
  senderWorkUs?: number;
  /**
   * Raw ws variants only (bench/transfer.ts's baseline): the sender makes each
   * chunk like the SDK bench's sender (pseudo-random, SHA-256 of the
   * plaintext) and seals it with AES-256-GCM (node:crypto, random 12-byte IV,
   * sent as iv || ciphertext || tag); the receiver opens it and hashes the
   * plaintext. Both report the SHA-256.
   */
  endToEnd?: boolean;
}

export interface SenderResult {
  firstSendNs: number;
  lastAckNs: number;
  messages: number;
  /** Chunks answered RATE_LIMITED and sent again after the server's retryAfterMs. */
  rateLimited: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** endToEnd only: SHA-256 of the plaintext sent. */
  sha256?: string;
}

export interface ReceiverResult {
  firstReceiveNs: number;
  lastReceiveNs: number;
  messages: number;
  /** ShareThings: chunks not pushed (receiver too far behind) but fetched with fetch-chunk. */
  fetched: number;
  bytes: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** endToEnd only: SHA-256 of the plaintext received. */
  sha256?: string;
}

/** The ShareThings passphrase used by the benchmark's clients (keys derived with few iterations, like the tests). */
export const BENCH_PASSPHRASE = 'bench passphrase';
export const BENCH_PBKDF2_ITERATIONS = 1000;
