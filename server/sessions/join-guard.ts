/**
 * Proof of the passphrase for `join`: a single-use challenge per connection,
 * an Ed25519 signature checked against the session's verifier, and limits on
 * failed attempts against online guessing.
 *
 * The proof is checked first: a correct proof is never refused because of
 * other addresses' failures, so nobody who merely knows a session id can
 * lock its members out. What bounds guessing (and the signature checks it
 * costs) is per address: join attempts per address (Limits), then an
 * exponential backoff once an address has failed JOIN_FAILURES_PER_ADDRESS
 * times in a window (join-backoff.ts). The limits per session only tighten
 * that: while a session is under attack (more than JOIN_FAILURES_PER_SESSION
 * failures, or JOINS_PER_SESSION attempts, in a window) any address failing
 * on it is backed off at its first failure.
 */
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../protocol/errors.ts';
import { JOIN_CHALLENGE_BYTES, JOIN_CHALLENGE_TTL_MS } from '../../protocol/limits.ts';
import { bytesEqual, verifyJoinProof } from '../../protocol/crypto/index.ts';
import type { Config } from '../config.ts';
import type { RateCounter, RateCounterFactory } from '../limits/rate-counter.ts';
import type { ContentStore } from '../store/content-store.ts';
import { JoinBackoff } from './join-backoff.ts';

interface PendingChallenge {
  sessionId: string;
  challenge: Uint8Array;
  expiresAt: number;
}

export class JoinGuard {
  private readonly challenges = new Map<string, PendingChallenge>();
  private readonly failuresByAddress: RateCounter;
  private readonly failuresBySession: RateCounter;
  private readonly backoff: JoinBackoff;

  constructor(
    config: Config,
    private readonly store: ContentStore,
    counters: RateCounterFactory,
  ) {
    this.failuresByAddress = counters('join-failures-by-address', config.joinFailuresPerAddress, config.joinFailureWindowMs);
    this.failuresBySession = counters('join-failures-by-session', config.joinFailuresPerSession, config.joinFailureWindowMs);
    this.backoff = new JoinBackoff({ baseMs: config.joinBackoffMs, maxMs: config.joinBackoffMaxMs });
  }

  /** A fresh challenge for this connection's next join; replaces any earlier one. */
  issue(socketId: string, sessionId: string): Uint8Array {
    const challenge = new Uint8Array(randomBytes(JOIN_CHALLENGE_BYTES));
    this.challenges.set(socketId, { sessionId, challenge, expiresAt: Date.now() + JOIN_CHALLENGE_TTL_MS });
    return challenge;
  }

  /**
   * Checks a join's proof against the session's verifier, creating the
   * session with the joiner's verifier when there is none (unless the join
   * says `create: false`: then NOT_FOUND). Returns whether this join created
   * it. Throws UNAUTHORIZED, NOT_FOUND or RATE_LIMITED (only for an address
   * in backoff, before its proof is checked). `busy`: the session had more
   * join attempts than JOINS_PER_SESSION in the window.
   */
  async admit(
    socketId: string,
    address: string,
    join: { sessionId: string; verifier: Uint8Array; proof: Uint8Array; create?: boolean | undefined },
    now: number,
    hooks: { beforeCreate(): Promise<void>; created(): Promise<void> },
    busy = false,
  ): Promise<{ created: boolean }> {
    const wait = this.backoff.refuse(address, Date.now());
    if (wait > 0) {
      this.challenges.delete(socketId);
      throw new ProtocolError('RATE_LIMITED', 'Too many failed attempts to join from your address; try again later', wait);
    }
    // The challenge is consumed by this attempt whatever its outcome, so a proof is never accepted twice.
    const pending = this.challenges.get(socketId);
    this.challenges.delete(socketId);
    if (!pending || pending.sessionId !== join.sessionId || pending.expiresAt < Date.now()) {
      throw new ProtocolError('UNAUTHORIZED', 'Ask for a join challenge first (join-challenge)');
    }
    const stored = await this.store.getSession(join.sessionId);
    // A mistyped id must not quietly become a new, empty session.
    if (!stored && join.create === false) throw new ProtocolError('NOT_FOUND', 'No session with this id');
    if (!stored) await hooks.beforeCreate();
    const expected = stored?.verifier ?? join.verifier;
    const valid = await verifyJoinProof(expected, join.sessionId, pending.challenge, join.proof);
    if (!valid) await this.refuse(address, join.sessionId, busy);
    // The session may have been created by someone else meanwhile: the stored verifier decides.
    const { record, created } = await this.store.createSession(join.sessionId, expected, now);
    if (!bytesEqual(record.verifier, expected)) await this.refuse(address, join.sessionId, busy);
    if (created) await hooks.created();
    return { created };
  }

  /** A wrong proof: counted for the address and the session, and the address backed off when over. */
  private async refuse(address: string, sessionId: string, busy: boolean): Promise<never> {
    const [bySession] = await Promise.all([this.failuresBySession.hit(sessionId), this.failuresByAddress.hit(address)]);
    const byAddress = await this.failuresByAddress.check(address);
    this.backoff.failed(address, Date.now(), busy || !bySession.allowed || !byAddress.allowed);
    throw new ProtocolError('UNAUTHORIZED', 'Wrong passphrase for this session');
  }

  forget(socketId: string): void {
    this.challenges.delete(socketId);
  }

  close(): void {
    this.failuresByAddress.close();
    this.failuresBySession.close();
    this.backoff.close();
    this.challenges.clear();
  }
}
