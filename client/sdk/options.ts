/** ShareClientOptions checked once, with defaults filled in. */
import { ClientNameSchema, parsePayload } from '../../protocol/schemas.ts';
import { MAX_CHUNK_PLAINTEXT_BYTES } from '../../protocol/limits.ts';
import { ShareError } from './errors.ts';
import type { DeriveKeys, ShareClientOptions } from './types.ts';
import { webCryptoChunkCipher, type ChunkCipher } from './chunk-cipher.ts';

/**
 * 512 KiB chunks, chosen by measurement (bench/RESULTS.md, 2026-12-05, SDK
 * end to end, 256 MiB through one server on 2 cores): 176 MB/s against 139
 * at 256 KiB (9.9 vs 12.9 ms CPU per MB over sender, server and receiver:
 * per-chunk costs, acks, promises, frames, halve), first chunk read 52 ms
 * after the share starts against 40, peak RSS sender / receiver 168 / 146 MB
 * against 148 / 139; 1 MiB chunks were no faster (181 MB/s) and slower to
 * start (71 ms, sender 199 MB). 16 in flight = 8 MiB: fills ~80 MB/s at
 * 100 ms RTT, and bounds the sender's memory whatever the item's size.
 */
export const DEFAULT_CHUNK_SIZE = 512 * 1024;
export const DEFAULT_WINDOW = 16;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
export const DEFAULT_CHUNK_ACK_TIMEOUT_MS = 120_000;
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;
/** 16 fetches in flight: the same 4 MiB pipe as uploads. */
export const DEFAULT_FETCH_WINDOW = 16;
export const DEFAULT_RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024;
export const DEFAULT_PREFETCH_BYTES = 256 * 1024;
/** At most ~10 progress events per second per transfer. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 100;

export interface ResolvedOptions {
  clientName: string;
  deriveKeys: DeriveKeys;
  chunkCipher: ChunkCipher;
  chunkSize: number;
  window: number;
  requestTimeoutMs: number;
  chunkAckTimeoutMs: number;
  stallTimeoutMs: number;
  fetchWindow: number;
  receiveBufferBytes: number;
  prefetchBytes: number;
  progressIntervalMs: number;
}

function integer(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ShareError('INVALID_PAYLOAD', `${what} must be an integer in ${min}..${max}`);
  }
  return value;
}

export function resolveOptions(options: ShareClientOptions, defaultDeriveKeys: DeriveKeys): ResolvedOptions {
  if (typeof options?.url !== 'string' || options.url === '') throw new ShareError('INVALID_PAYLOAD', 'url is required');
  const name = parsePayload(ClientNameSchema, options.clientName);
  if (!name.ok) throw new ShareError('INVALID_PAYLOAD', `clientName ${name.reason}`);
  if (options.accessToken !== undefined && typeof options.accessToken !== 'string') {
    throw new ShareError('INVALID_PAYLOAD', 'accessToken must be a string');
  }
  const day = 86_400_000;
  return {
    clientName: name.value,
    deriveKeys: options.deriveKeys ?? ((sessionId, passphrase) => defaultDeriveKeys(sessionId, passphrase)),
    chunkCipher: options.chunkCipher ?? webCryptoChunkCipher,
    chunkSize: integer(options.chunkSize, DEFAULT_CHUNK_SIZE, 1, MAX_CHUNK_PLAINTEXT_BYTES, 'chunkSize'),
    window: integer(options.window, DEFAULT_WINDOW, 1, 1024, 'window'),
    requestTimeoutMs: integer(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 1, day, 'requestTimeoutMs'),
    chunkAckTimeoutMs: integer(options.chunkAckTimeoutMs, DEFAULT_CHUNK_ACK_TIMEOUT_MS, 1, day, 'chunkAckTimeoutMs'),
    // 0 turns the stall check off.
    stallTimeoutMs: integer(options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS, 0, day, 'stallTimeoutMs'),
    fetchWindow: integer(options.fetchWindow, DEFAULT_FETCH_WINDOW, 1, 1024, 'fetchWindow'),
    receiveBufferBytes: integer(options.receiveBufferBytes, DEFAULT_RECEIVE_BUFFER_BYTES, 1, 2 ** 40, 'receiveBufferBytes'),
    prefetchBytes: integer(options.prefetchBytes, DEFAULT_PREFETCH_BYTES, 0, 2 ** 40, 'prefetchBytes'),
    progressIntervalMs: integer(options.progressIntervalMs, DEFAULT_PROGRESS_INTERVAL_MS, 0, day, 'progressIntervalMs'),
  };
}
