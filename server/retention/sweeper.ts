/**
 * Retention: deletes sessions (and everything in them) after SESSION_TTL
 * without activity, discards uploads that stopped moving, and lets the store
 * purge what was deleted. Activity is any operation or any member connected,
 * so a session in use never expires: every node keeps its own members'
 * sessions active, and only the node holding the lease (lease.ts) sweeps.
 * Emits 'swept' after every run, so tests and metrics can follow it.
 */
import { EventEmitter } from 'node:events';
import { describeError } from '../log.ts';
import { sessionRoom } from '../io/types.ts';
import type { HandlerContext } from '../io/context.ts';
import type { Lease } from './lease.ts';

export interface SweepResult {
  /** False when another node holds the lease and swept instead. */
  leader: boolean;
  expiredSessions: number;
  abandonedUploads: number;
}

const NOTHING: SweepResult = { leader: false, expiredSessions: 0, abandonedUploads: 0 };

export class Sweeper extends EventEmitter<{ swept: [SweepResult] }> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly lease: Lease,
  ) {
    super();
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.ctx.config.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.lease.release().catch(() => undefined);
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.ctx.log.error('sweep failed', { error: describeError(error) });
        return NOTHING;
      })
      .then((result) => {
        this.running = undefined;
        this.emit('swept', result);
        return result;
      });
    return this.running;
  }

  private async pass(): Promise<SweepResult> {
    const { store, presence, config } = this.ctx;
    const now = Date.now();
    for (const sessionId of presence.localSessions()) await store.touchSession(sessionId, now);
    if (!(await this.lease.hold())) return NOTHING;
    const expiredSessions = await this.expireSessions(now - config.sessionTtlMs);
    const abandonedUploads = await this.abandonUploads(now - config.uploadAbandonMs);
    await store.purgeDeleted();
    return { leader: true, expiredSessions, abandonedUploads };
  }

  /** One session or upload that fails is logged and skipped, so it cannot stop the sweeping of the others. */
  private async each<T>(list: T[], what: string, work: (entry: T) => Promise<boolean>): Promise<number> {
    let done = 0;
    for (const entry of list) {
      try {
        if (await work(entry)) done += 1;
      } catch (error) {
        this.ctx.log.warn(`sweep: ${what} failed`, { error: describeError(error) });
      }
    }
    return done;
  }

  private async expireSessions(cutoff: number): Promise<number> {
    const { store, presence, uploads, log, sessionTag } = this.ctx;
    return this.each(await store.idleSessions(cutoff), 'expiring a session', async (sessionId) => {
      if (await presence.hasMembers(sessionId)) return false;
      // Kept if anything touched it since it was listed (a join racing the sweep).
      if (!(await store.deleteSession(sessionId, cutoff))) return false;
      uploads.endSession(sessionId);
      log.info('session expired', { session: sessionTag(sessionId) });
      return true;
    });
  }

  private async abandonUploads(cutoff: number): Promise<number> {
    const { store, uploads, io, log, sessionTag } = this.ctx;
    return this.each(await store.stalledUploads(cutoff), 'abandoning an upload', async ({ sessionId, contentId }) => {
      // Resumed (or finished) since it was listed: not abandoned after all.
      if (!(await store.discardUpload(sessionId, contentId, cutoff))) return false;
      uploads.end(sessionId, contentId);
      io.to(sessionRoom(sessionId)).emit('content-cancelled', { sessionId, contentId, code: 'CANCELLED' });
      log.info('upload abandoned', { session: sessionTag(sessionId) });
      return true;
    });
  }
}
