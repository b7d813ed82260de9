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
import type { Limits } from '../limits/limits.ts';
import type { IoSocket } from './types.ts';

export type Handler<S extends v.GenericSchema> = (
  payload: v.InferOutput<S>,
) => Promise<object | void> | object | void;

function fail(code: ErrorCode, error: string, retryAfterMs?: number): AckResponse & { success: false } {
  return retryAfterMs === undefined ? { success: false, error, code } : { success: false, error, code, retryAfterMs };
}

/** A request as the batch event runs it: payload in, the answer out. */
export type Request = (payload: unknown) => Promise<AckResponse>;

const requestsBySocket = new WeakMap<IoSocket, Map<string, Request>>();

/** The requests registered on a socket, by event name (for `batch`). */
export function requestsOf(socket: IoSocket): Map<string, Request> {
  let requests = requestsBySocket.get(socket);
  if (!requests) {
    requests = new Map();
    requestsBySocket.set(socket, requests);
  }
  return requests;
}

/**
 * Registers `event` on the socket: rate-checked, validated with `schema`,
 * handled, and answered exactly once (by ack, or by an `error` event when the
 * client asked for no ack and the request failed).
 */
export function handle<S extends v.GenericSchema>(
  socket: IoSocket,
  ctx: HandleContext,
  event: string,
  schema: S,
  handler: Handler<S>,
): void {
  const request = makeRequest(socket, ctx, event, schema, handler);
  requestsOf(socket).set(event, request);
  socket.on(event as never, ((...args: unknown[]) => {
    // Socket.IO appends the ack function last when the client asked for one.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (response: AckResponse) => void) : undefined;
    void request(ack ? args[0] : args[0]).then((response) => {
      if (ack) ack(response);
      else if (!response.success) socket.emit('error', { message: response.error, code: response.code });
    });
  }) as never);
}

export interface HandleContext {
  log: Logger;
  metrics: Metrics;
  limits: Limits;
}

function makeRequest<S extends v.GenericSchema>(
  socket: IoSocket,
  { log, metrics, limits }: HandleContext,
  event: string,
  schema: S,
  handler: Handler<S>,
): Request {
  return async (payload) => {
    metrics.request(event);
    const response = await run();
    if (!response.success) metrics.error(response.code);
    return response;

    async function run(): Promise<AckResponse> {
      try {
        limits.checkEvent(socket.id, event, payloadBytes(payload));
        const parsed = parsePayload(schema, payload);
        if (!parsed.ok) return fail('INVALID_PAYLOAD', `Invalid ${event}: ${parsed.reason}`);
        const result = await handler(parsed.value);
        return { success: true, ...(result ?? {}) };
      } catch (error) {
        if (error instanceof ProtocolError) return fail(error.code, error.message, error.retryAfterMs);
        log.error('handler failed', { event, socketId: socket.id, error: describeError(error) });
        return fail('INTERNAL', 'Internal server error');
      }
    }
  };
}

/** The binary bytes a payload carries (what the byte budget counts); small fields are ignored. */
function payloadBytes(payload: unknown): number {
  if (typeof payload !== 'object' || payload === null) return 0;
  const { chunk, content, data } = payload as { chunk?: { encryptedData?: unknown }; content?: { encryptedDescriptor?: unknown }; data?: unknown };
  const size = (value: unknown) => (value instanceof Uint8Array ? value.byteLength : 0);
  return size(chunk?.encryptedData) + size(content?.encryptedDescriptor) + size(data);
}
