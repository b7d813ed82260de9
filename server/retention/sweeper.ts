/**
 * Retention: deletes sessions (and everything in them) after SESSION_TTL
 * without activity, and discards uploads that stopped moving. Activity is any
 * operation or any member connected, so a session in use never expires.
 * Emits 'swept' after every run, so tests and metrics can follow it.
 */
import { EventEmitter } from 'node:events';
import { describeError, sessionTag } from '../log.ts';
import { discardUpload } from '../content/content.handlers.ts';
import type { HandlerContext } from '../io/context.ts';

export interface SweepResult {
  expiredSessions: number;
  abandonedUploads: number;
}

export class Sweeper extends EventEmitter<{ swept: [SweepResult] }> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(private readonly ctx: HandlerContext) {
    super();
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.ctx.config.sweepIntervalMs);
    this.timer.unref();
  }

  stop(): Promise<unknown> {
    clearInterval(this.timer);
    return this.running ?? Promise.resolve();
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.ctx.log.error('sweep failed', { error: describeError(error) });
        return { expiredSessions: 0, abandonedUploads: 0 };
      })
      .then((result) => {
        this.running = undefined;
        this.emit('swept', result);
        return result;
      });
    return this.running;
  }

  private async pass(): Promise<SweepResult> {
    const { store, sessions, uploads, config, log } = this.ctx;
    const now = Date.now();
    for (const sessionId of sessions.activeSessions()) await store.touchSession(sessionId, now);

    let expiredSessions = 0;
    for (const sessionId of await store.idleSessions(now - config.sessionTtlMs)) {
      if (sessions.hasMembers(sessionId)) continue;
      uploads.endSession(sessionId);
      await store.deleteSession(sessionId);
      expiredSessions += 1;
      log.info('session expired', { session: sessionTag(sessionId) });
    }

    let abandonedUploads = 0;
    for (const { sessionId, contentId } of uploads.stalledSince(now - config.uploadAbandonMs)) {
      await discardUpload(this.ctx, sessionId, contentId, 'CANCELLED');
      abandonedUploads += 1;
      log.info('upload abandoned', { session: sessionTag(sessionId) });
    }
    return { expiredSessions, abandonedUploads };
  }
}
