/**
 * Proof of the passphrase for `join`: a single-use challenge per connection,
 * an Ed25519 signature checked against the session's verifier, and limits on
 * failed attempts per address and per session against online guessing.
 */
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../protocol/errors.ts';
import { JOIN_CHALLENGE_BYTES, JOIN_CHALLENGE_TTL_MS } from '../../protocol/limits.ts';
import { bytesEqual, verifyJoinProof } from '../../protocol/crypto/index.ts';
import type { Config } from '../config.ts';
import type { RateCounter, RateCounterFactory } from '../limits/rate-counter.ts';
import type { ContentStore } from '../store/content-store.ts';

interface PendingChallenge {
  sessionId: string;
  challenge: Uint8Array;
  expiresAt: number;
}

export class JoinGuard {
  private readonly challenges = new Map<string, PendingChallenge>();
  private readonly failuresByAddress: RateCounter;
  private readonly failuresBySession: RateCounter;

  constructor(
    config: Config,
    private readonly store: ContentStore,
    counters: RateCounterFactory,
  ) {
    this.failuresByAddress = counters('join-failures-by-address', config.joinFailuresPerAddress, config.joinFailureWindowMs);
    this.failuresBySession = counters('join-failures-by-session', config.joinFailuresPerSession, config.joinFailureWindowMs);
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
   * it. Throws UNAUTHORIZED, NOT_FOUND or RATE_LIMITED.
   */
  async admit(
    socketId: string,
    address: string,
    join: { sessionId: string; verifier: Uint8Array; proof: Uint8Array; create?: boolean | undefined },
    now: number,
    hooks: { beforeCreate(): Promise<void>; created(): Promise<void> },
  ): Promise<{ created: boolean }> {
    await this.refuseWhenLimited(address, join.sessionId);
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
    if (!valid) await this.refuse(address, join.sessionId);
    // The session may have been created by someone else meanwhile: the stored verifier decides.
    const { record, created } = await this.store.createSession(join.sessionId, expected, now);
    if (!bytesEqual(record.verifier, expected)) await this.refuse(address, join.sessionId);
    if (created) await hooks.created();
    return { created };
  }

  private async refuse(address: string, sessionId: string): Promise<never> {
    await Promise.all([this.failuresByAddress.hit(address), this.failuresBySession.hit(sessionId)]);
    throw new ProtocolError('UNAUTHORIZED', 'Wrong passphrase for this session');
  }

  forget(socketId: string): void {
    this.challenges.delete(socketId);
  }

  close(): void {
    this.failuresByAddress.close();
    this.failuresBySession.close();
    this.challenges.clear();
  }

  private async refuseWhenLimited(address: string, sessionId: string): Promise<void> {
    const decisions = await Promise.all([this.failuresByAddress.check(address), this.failuresBySession.check(sessionId)]);
    for (const decision of decisions) {
      if (!decision.allowed) {
        throw new ProtocolError('RATE_LIMITED', 'Too many failed attempts to join; try again later', decision.retryAfterMs);
      }
    }
  }
}
