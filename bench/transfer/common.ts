/** Types shared by bench/transfer.ts and its SDK sender / receiver processes (transfer/peer.ts). */

export interface TransferPeerOptions {
  role: 'sender' | 'receiver';
  url: string;
  sessionId: string;
  /** Plaintext bytes of the one file shared. */
  size: number;
  /** ShareClient chunkSize and window. */
  chunkSize: number;
  window: number;
  timeoutMs: number;
}

export interface TransferSenderResult {
  /** CLOCK_MONOTONIC ns (comparable across processes): just before shareFile(). */
  startNs: number;
  /** When shareFile() resolved: the server acknowledged every chunk. */
  endNs: number;
  sha256: string;
  bytes: number;
  /** CPU seconds spent making the pseudo-random input and hashing it (not the SDK's work). */
  inputSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface TransferReceiverResult {
  /** When the `content` event arrived, the first and the last plaintext chunk was read. */
  announcedNs: number;
  firstChunkNs: number;
  lastChunkNs: number;
  sha256: string;
  bytes: number;
  chunks: number;
  /** CPU seconds spent hashing (not the SDK's work). */
  hashSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}
