/**
 * Every rate limit of the server in one place, each answered RATE_LIMITED with
 * a retry hint: handshakes and connections per address, events and bytes per connection,
 * join attempts per address and per session, sessions created per address.
 * Limits per connection are this node's; those per address or per session are
 * counted by the backend's RateCounters, so in a cluster they hold across nodes.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import type { Config } from '../config.ts';
import type { RateCounter, RateCounterFactory } from './rate-counter.ts';
import { RateLimiter, type RateDecision } from './rate-limiter.ts';

function refuseWhen(decision: RateDecision, message: string): void {
  if (!decision.allowed) throw new ProtocolError('RATE_LIMITED', message, decision.retryAfterMs);
}

/**
 * What a `fetch-chunk` counts when it is asked for: its chunk's size is not
 * known until the chunk is read, and the rest is counted then (countFetchedBytes).
 */
export const FETCH_CHUNK_ESTIMATE_BYTES = 256 * 1024;

/** Transfer requests, with the bytes each counts beyond its payload. */
const TRANSFER_EVENTS = new Map<string, number>([
  ['chunk', 0],
  ['fetch-chunk', FETCH_CHUNK_ESTIMATE_BYTES],
]);

export class Limits {
  private readonly connections: RateCounter;
  private readonly handshakes: RateCounter;
  private readonly events: RateLimiter;
  private readonly bytes: RateLimiter;
  private readonly joinsByAddress: RateCounter;
  private readonly joinsBySession: RateCounter;
  private readonly sessionsCreated: RateCounter;

  constructor(config: Config['limits'], counters: RateCounterFactory) {
    this.connections = counters('connections', config.connectionsPerAddress, config.connectionWindowMs);
    this.handshakes = counters('handshakes', config.handshakesPerAddress, config.connectionWindowMs);
    this.events = new RateLimiter(config.eventsPerSocket, config.eventWindowMs);
    this.bytes = new RateLimiter(config.bytesPerSocket, config.eventWindowMs);
    this.joinsByAddress = counters('joins-by-address', config.joinsPerAddress, config.joinWindowMs);
    this.joinsBySession = counters('joins-by-session', config.joinsPerSession, config.joinWindowMs);
    this.sessionsCreated = counters('sessions-created', config.sessionsCreatedPerAddress, config.sessionCreationWindowMs);
  }

  /** An Engine.IO handshake from `address`, before any session object exists for it. */
  async checkHandshake(address: string): Promise<void> {
    refuseWhen(await this.handshakes.hit(address), 'Too many handshakes from your address; try again later');
  }

  /** A new connection from `address`. */
  async checkConnection(address: string): Promise<void> {
    refuseWhen(await this.connections.hit(address), 'Too many new connections from your address; try again later');
  }

  /**
   * Any request on a connection, carrying `bytes` of binary. Transfers
   * (`chunk` up, `fetch-chunk` down) are paced by the byte budget alone, so a
   * request count never caps a transfer below the wire's speed.
   */
  checkEvent(socketId: string, event: string, bytes: number): void {
    const transfer = TRANSFER_EVENTS.get(event);
    if (transfer === undefined) refuseWhen(this.events.hit(socketId), 'Too many requests on this connection; slow down');
    const weight = bytes + (transfer ?? 0);
    if (weight > 0) refuseWhen(this.bytes.hit(socketId, weight), 'Too many bytes on this connection; slow down');
  }

  /**
   * A fetched chunk's bytes beyond the estimate counted when it was asked
   * for: the chunk is already read, so it is sent, and the bytes count
   * against this connection's next requests.
   */
  countFetchedBytes(socketId: string, bytes: number): void {
    const beyond = bytes - FETCH_CHUNK_ESTIMATE_BYTES;
    if (beyond > 0) this.bytes.hit(socketId, beyond);
  }

  /**
   * A join attempt, successful or not: refused past the attempts per address
   * (which bounds the proofs checked per address). Returns whether the
   * session is busy (past JOINS_PER_SESSION): that never refuses a valid
   * proof, it only backs off at once an address that fails on it
   * (sessions/join-guard.ts).
   */
  async checkJoinAttempt(address: string, sessionId: string): Promise<{ busy: boolean }> {
    refuseWhen(await this.joinsByAddress.hit(address), 'Too many join attempts from your address; try again later');
    return { busy: !(await this.joinsBySession.hit(sessionId)).allowed };
  }

  /** Whether `address` may create another session now (checked before creating). */
  async checkSessionCreation(address: string): Promise<void> {
    refuseWhen(await this.sessionsCreated.check(address), 'Too many new sessions from your address; try again later');
  }

  async sessionCreated(address: string): Promise<void> {
    await this.sessionsCreated.hit(address);
  }

  forgetSocket(socketId: string): void {
    this.events.reset(socketId);
    this.bytes.reset(socketId);
  }

  close(): void {
    for (const limiter of [this.connections, this.handshakes, this.events, this.bytes, this.joinsByAddress, this.joinsBySession, this.sessionsCreated]) {
      limiter.close();
    }
  }
}
