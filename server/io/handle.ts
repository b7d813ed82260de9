/**
 * Wraps every request handler: validates the payload, calls the handler, and
 * answers exactly once. With an ack the answer is `{ success, ... }`; without
 * one, failures become an `error` event. Unknown exceptions are logged with the
 * socket id and answered `INTERNAL`; their messages never reach the client.
 */
import type * as v from 'valibot';
import type { ErrorCode } from '../../protocol/errors.ts';
import { ProtocolError } from '../../protocol/errors.ts';
import { parsePayload } from '../../protocol/schemas.ts';
import type { AckResponse } from '../../protocol/events.ts';
import { describeError, type Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { IoSocket } from './types.ts';

export type Handler<S extends v.GenericSchema> = (
  payload: v.InferOutput<S>,
) => Promise<object | void> | object | void;

function fail(code: ErrorCode, error: string, retryAfterMs?: number): AckResponse & { success: false } {
  return retryAfterMs === undefined ? { success: false, error, code } : { success: false, error, code, retryAfterMs };
}

/** Returns a Socket.IO listener for `event` that validates with `schema`. */
export function handle<S extends v.GenericSchema>(
  socket: IoSocket,
  { log, metrics }: { log: Logger; metrics: Metrics },
  event: string,
  schema: S,
  handler: Handler<S>,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    // Socket.IO appends the ack function last when the client asked for one.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (response: AckResponse) => void) : undefined;
    const payload = ack ? args.slice(0, -1)[0] : args[0];
    let answered = false;
    metrics.request(event);
    const answer = (response: AckResponse) => {
      if (answered) return;
      answered = true;
      if (!response.success) metrics.error(response.code);
      if (ack) ack(response);
      else if (!response.success) socket.emit('error', { message: response.error, code: response.code });
    };

    const parsed = parsePayload(schema, payload);
    if (!parsed.ok) {
      answer(fail('INVALID_PAYLOAD', `Invalid ${event}: ${parsed.reason}`));
      return;
    }
    Promise.resolve()
      .then(() => handler(parsed.value))
      .then(
        (result) => answer({ success: true, ...(result ?? {}) }),
        (error: unknown) => {
          if (error instanceof ProtocolError) {
            answer(fail(error.code, error.message, error.retryAfterMs));
            return;
          }
          log.error('handler failed', { event, socketId: socket.id, error: describeError(error) });
          answer(fail('INTERNAL', 'Internal server error'));
        },
      );
  };
}
