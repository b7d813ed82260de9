/**
 * A request that needs Redis or the object store while it cannot answer
 * (down, restarting, stalled, cut off) is answered UNAVAILABLE with a retry
 * hint, never INTERNAL, and the node keeps running: clients retry, and the
 * service resumes by itself when the backend is back.
 */
import { ProtocolError } from '../../protocol/errors.ts';
import { describeError, type Logger } from '../log.ts';

/** What clients are told to wait before trying again. */
export const RETRY_AFTER_MS = 1_000;

export type Backend = 'Redis' | 'the object store';

/** Each kind of failure is logged at most this often: an outage fails every request. */
const LOG_INTERVAL_MS = 5_000;
const lastLogged = new Map<string, number>();

/** Runs `work`; a failure other than a protocol answer becomes UNAVAILABLE (and is logged, without content). */
export async function guarded<T>(backend: Backend, log: Logger, operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    const kind = `${backend}/${operation}`;
    const now = Date.now();
    if (now - (lastLogged.get(kind) ?? 0) >= LOG_INTERVAL_MS) {
      lastLogged.set(kind, now);
      log.warn(`${backend} failed`, { operation, error: describeError(error) });
    }
    throw new ProtocolError('UNAVAILABLE', `Storage is unavailable right now (${backend}); try again shortly`, RETRY_AFTER_MS);
  }
}
