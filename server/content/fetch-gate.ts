/**
 * Fetch replies (fetch-chunk, and list-content pages of stored items) are
 * bounded per connection like pushed chunks (slow-receivers.ts):
 * a connection with more than SOCKET_BUFFER_BYTES waiting in its transport, or
 * with FETCHES_IN_FLIGHT fetches being answered already, gets `RATE_LIMITED`
 * with a short retry time instead of another chunk. A client that stops
 * reading its socket can then make the server hold at most the bound plus
 * FETCHES_IN_FLIGHT chunks, however many requests it sends.
 *
 * A batch answers all its entries in one message, so its fetch-chunk entries
 * keep their slot and their bytes until the batch's answer is sent (`hold`):
 * (list-content entries too)
 * 50 fetches in a batch count as 50, never as one.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import type { IoSocket } from '../io/types.ts';
import { queuedBytes } from './slow-receivers.ts';

/** How soon a refused fetch may come again: a reading client drains 8 MiB well within it. */
export const FETCH_RETRY_AFTER_MS = 250;

/** How long one measurement of a connection's queue serves (much shorter than the retry time). */
const REMEASURE_AFTER_MS = 20;

// Shared: a burst of refusals must not pay for a stack trace each.
const TOO_MANY_IN_FLIGHT = new ProtocolError('RATE_LIMITED', 'Too many fetches in flight on this connection; wait for their answers', FETCH_RETRY_AFTER_MS);
const NOT_READING = new ProtocolError('RATE_LIMITED', 'This connection is not reading its answers; fetch again later', FETCH_RETRY_AFTER_MS);

export interface FetchSlot {
  /** The reply's bytes, held until release. */
  add(bytes: number): void;
  release(): void;
}

export class FetchGate {
  private inFlight = 0;
  private heldBytes = 0;
  /** The last measurement of the queue, when, and the reply bytes released into it since. */
  private measured = 0;
  private measuredAt = -Infinity;
  private releasedSince = 0;

  constructor(
    private readonly socket: IoSocket,
    private readonly capBytes: number,
    private readonly maxInFlight: number,
  ) {}

  /** A slot for one fetch reply; RATE_LIMITED when the connection has no room for another. */
  admit(): FetchSlot {
    if (this.inFlight >= this.maxInFlight) throw TOO_MANY_IN_FLIGHT;
    this.checkRoom(0);
    return this.hold(0);
  }

  /**
   * A slot's reply is about to be read, about `bytes` long (an item's chunk size, known once the
   * item is): refused when that would not fit either, so fetches in flight never add up past the bound.
   */
  expect(slot: FetchSlot, bytes: number): void {
    this.checkRoom(bytes);
    slot.add(bytes);
  }

  private checkRoom(bytes: number): void {
    const fits = () => this.queued() + this.heldBytes + bytes <= this.capBytes;
    if (fits()) return;
    // The estimate counts every reply released since the last measurement as still queued; a client
    // that reads them at once (sequential fetches) would be refused by it. Measure again before refusing.
    if (this.measuredAt < Date.now()) {
      this.measuredAt = -Infinity;
      if (fits()) return;
    }
    throw NOT_READING;
  }

  /**
   * Measuring walks the connection's queue, long when it does not read: a burst of requests shares
   * one measurement (plus the replies released into the queue since), instead of one walk each.
   */
  private queued(): number {
    const now = Date.now();
    if (now - this.measuredAt >= REMEASURE_AFTER_MS) {
      this.measured = queuedBytes(this.socket);
      this.measuredAt = now;
      this.releasedSince = 0;
    }
    return this.measured + this.releasedSince;
  }

  /** Counts a reply already made (a batch's entry) until its answer is sent. */
  hold(bytes: number): FetchSlot {
    this.inFlight++;
    let held = 0;
    let released = false;
    const add = (more: number) => {
      if (released) return;
      held += more;
      this.heldBytes += more;
    };
    add(bytes);
    return {
      add,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.heldBytes -= held;
        // Its answer goes to the queue now.
        this.releasedSince += held;
      },
    };
  }
}

const gates = new WeakMap<IoSocket, FetchGate>();

/** The connection's gate, made on first use. */
export function fetchGateOf(socket: IoSocket, limits: { socketBufferBytes: number; fetchesInFlight: number }): FetchGate {
  let gate = gates.get(socket);
  if (!gate) {
    gate = new FetchGate(socket, limits.socketBufferBytes, limits.fetchesInFlight);
    gates.set(socket, gate);
  }
  return gate;
}

/** Requests answered with stored ciphertext: what the gate admits. */
export const GATED_READS: ReadonlySet<string> = new Set(['fetch-chunk', 'list-content']);

const size = (value: unknown) => (value instanceof Uint8Array ? value.byteLength : 0);

/** The ciphertext bytes a fetch-chunk or list-content answer carries (0 for a refusal). */
export function readReplyBytes(response: unknown): number {
  const { chunk, items } = response as { chunk?: { encryptedData?: unknown }; items?: unknown };
  if (chunk) return size(chunk.encryptedData);
  if (!Array.isArray(items)) return 0;
  let bytes = 0;
  for (const item of items as Array<{ encryptedDescriptor?: unknown; data?: unknown }>) bytes += size(item.encryptedDescriptor) + size(item.data);
  return bytes;
}
