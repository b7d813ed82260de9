/**
 * The Socket.IO connection: defaults, and request/ack with a timeout that
 * turns every failure into a ShareError. Requests are never buffered while
 * disconnected: a buffered chunk or join would reach a later connection that
 * is not (yet) a member and be refused anyway.
 */
import { io } from 'socket.io-client';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import * as parser from '../../protocol/parser.ts';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.ts';
import { isErrorCode, type ErrorCode } from '../../protocol/errors.ts';
import { ShareError, ackError } from './errors.ts';
import { onAbort } from './flow.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * reconnectionAttempts is Infinity (not the seed's 5): a tab left open must
 * come back after a server restart or a long network outage, and the backoff
 * is capped at reconnectionDelayMax, so retrying forever costs one attempt
 * every 5 s. Pass the reconnectionAttempts option to bound it.
 */
export const DEFAULT_SOCKET_OPTIONS: Partial<ManagerOptions & SocketOptions> = {
  path: '/socket.io/',
  transports: ['websocket', 'polling'],
  tryAllTransports: true, // fall back to polling when WebSocket is blocked
  reconnection: true,
  reconnectionAttempts: Infinity,
  reconnectionDelay: 1000,
  reconnectionDelayMax: 5000,
  timeout: 20_000,
};

/** The connection options a ShareClient takes besides socketOptions (the seed's names). */
export interface ConnectionOptions {
  accessToken?: string | undefined;
  reconnection?: boolean | undefined;
  reconnectionAttempts?: number | undefined;
  reconnectionDelay?: number | undefined;
  reconnectionDelayMax?: number | undefined;
  timeout?: number | undefined;
  socketOptions?: Partial<ManagerOptions & SocketOptions> | undefined;
}

export function createSocket(url: string, options: ConnectionOptions = {}): ClientSocket {
  const chosen: Partial<ManagerOptions & SocketOptions> = {};
  for (const key of ['reconnection', 'reconnectionAttempts', 'reconnectionDelay', 'reconnectionDelayMax', 'timeout'] as const) {
    if (options[key] !== undefined) (chosen as Record<string, unknown>)[key] = options[key];
  }
  // The server checks the token at the handshake, before the connect step's `auth` arrives: send it in both.
  const token = options.accessToken;
  const query = { ...(options.socketOptions?.query as Record<string, string> | undefined), ...(token !== undefined ? { accessToken: token } : {}) };
  return io(url, {
    ...DEFAULT_SOCKET_OPTIONS,
    ...chosen,
    ...(token !== undefined ? { auth: { accessToken: token } } : {}),
    ...options.socketOptions,
    ...(Object.keys(query).length > 0 ? { query } : {}),
    parser, // the server speaks only this parser
    autoConnect: false, // connect on the first join, not on construction
    forceNew: true, // one connection per client, never shared with another ShareClient
  });
}

/**
 * A refused or failed connection attempt as a ShareError: the server's code
 * (`err.data.code`: UNAUTHORIZED without the access token, RATE_LIMITED; or
 * the code of a refused handshake) when it gave one, else UNAVAILABLE.
 */
export function connectError(error: unknown): ShareError {
  const data = (error as { data?: { code?: unknown; retryAfterMs?: unknown } } | undefined)?.data;
  const code = isErrorCode(data?.code) ? data.code : handshakeRefusal(error) ?? 'UNAVAILABLE';
  const message = error instanceof Error ? error.message : 'Cannot connect to the server';
  const retry = data?.retryAfterMs;
  return new ShareError(code, `Cannot connect: ${message}`, {
    cause: error,
    ...(typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? { retryAfterMs: retry } : {}),
  });
}

/**
 * A handshake the server refused before the connect step (no access token,
 * too many connections from this address): Engine.IO answers HTTP 403 with
 * `{ code: 4, message: <ErrorCode> }`, which a browser's long-polling
 * transport exposes.
 */
function handshakeRefusal(error: unknown): ErrorCode | undefined {
  const { description, context } = (error ?? {}) as { description?: unknown; context?: { responseText?: unknown } };
  // Long-polling gives the status; Node's WebSocket (ws) says it in its error: Engine.IO refuses an upgrade with 400, which for a
  // well-formed handshake like ours means allowRequest said no (a browser's WebSocket says nothing).
  const refusedUpgrade = /Unexpected server response: 40[03]/.test(String((description as { message?: unknown } | undefined)?.message));
  if (description !== 403 && !refusedUpgrade) return undefined;
  try {
    const message: unknown = (JSON.parse(String(context?.responseText)) as { message?: unknown }).message;
    if (isErrorCode(message)) return message;
  } catch {
    // Unreadable: Node's XMLHttpRequest drops the body of a failed request.
  }
  // Too many connections from one address is the rarer refusal; a missing token is what a user can fix.
  return 'UNAUTHORIZED';
}

type Requests = ClientToServerEvents;
export type PayloadOf<E extends keyof Requests> = Parameters<Requests[E]>[0];
export type ResultOf<E extends keyof Requests> = NonNullable<Parameters<Requests[E]>[1]> extends Ack<infer R> ? R : never;

interface UntypedEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}

/**
 * Emits now (synchronously, so calls keep their order on the wire) and
 * resolves with the ack's result; rejects with a ShareError otherwise.
 */
export function request<E extends keyof Requests>(
  socket: ClientSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs: number,
  contentId?: string,
): Promise<{ success: true } & ResultOf<E>> {
  if (!socket.connected) {
    return Promise.reject(new ShareError('UNAVAILABLE', 'Not connected to the server', { contentId }));
  }
  const emitter = socket.timeout(timeoutMs) as unknown as UntypedEmitter;
  return emitter.emitWithAck(event, payload).then(
    (response) => {
      if (typeof response !== 'object' || response === null) {
        throw new ShareError('INTERNAL', `Malformed ${event} acknowledgement`, { contentId });
      }
      const record = response as Record<string, unknown>;
      if (record['success'] !== true) throw ackError(record, contentId);
      return response as { success: true } & ResultOf<E>;
    },
    (error: unknown) => {
      // socket.io rejects on timeout and when the connection drops with the ack pending.
      const message = error instanceof Error ? error.message : 'no acknowledgement';
      throw new ShareError('UNAVAILABLE', `${event}: ${message}`, { contentId, cause: error });
    },
  );
}

/** Connects if needed and waits for the connection, at most `timeoutMs`. */
export function whenConnected(socket: ClientSocket, timeoutMs: number): Promise<void> {
  if (socket.connected) return Promise.resolve();
  if (!socket.active) socket.connect();
  return new Promise<void>((resolve, reject) => {
    const done = (error?: ShareError) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = () => done();
    // While socket.io keeps retrying (`active`), a failed attempt is not the end;
    // a refusal by the server (access token, rate limit) is.
    const onError = (error: Error) => {
      const failure = connectError(error);
      // A first connection refused at the handshake (no or a wrong access token) fails the same way on
      // every retry: the join gets the answer. (Once joined, reconnections keep trying: see share-client.)
      if (failure.code === 'UNAUTHORIZED' && socket.active) socket.disconnect();
      if (!socket.active || !socket.io.reconnection()) done(failure);
    };
    const timer = setTimeout(() => done(new ShareError('UNAVAILABLE', 'Timed out connecting to the server')), timeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** Longest server-stated wait the SDK honours by itself before retrying. */
const MAX_RETRY_WAIT_MS = 60_000;
/** Tries per request: a rate limit passes within a window or two; a storage outage may last a minute. */
const RATE_LIMITED_ATTEMPTS = 10;
const UNAVAILABLE_ATTEMPTS = 60;
/** How long short RATE_LIMITED waits are retried in all. */
const RATE_LIMITED_PATIENCE_MS = 120_000;

/**
 * How long to wait before sending again what the server refused for now:
 * RATE_LIMITED, or UNAVAILABLE with a retry time (its storage did not answer;
 * an UNAVAILABLE without one is a lost connection, which the caller handles).
 */
export function retryWait(error: unknown, attempt: number): number | undefined {
  if (!(error instanceof ShareError)) return undefined;
  const limited = error.code === 'RATE_LIMITED';
  const unavailable = error.code === 'UNAVAILABLE' && error.retryAfterMs !== undefined;
  if (!limited && !unavailable) return undefined;
  const wait = error.retryAfterMs ?? 1000;
  // A short wait (a fetch refused while this connection still has answers to read, 250 ms) is tried
  // for as long as a few long ones: a slow link may take a minute to drain the server's buffer.
  const attempts = limited ? Math.max(RATE_LIMITED_ATTEMPTS, Math.ceil(RATE_LIMITED_PATIENCE_MS / Math.max(wait, 10))) : UNAVAILABLE_ATTEMPTS;
  if (attempt >= attempts) return undefined;
  return wait > MAX_RETRY_WAIT_MS ? undefined : wait;
}

/**
 * request(), but a refusal for now (RATE_LIMITED, or UNAVAILABLE with a
 * retry time) is waited out, as long as the server says, and the request
 * sent again: for chunks and fetches, which a fast transfer may send faster
 * than the server's per-connection budget, and which a storage outage of the
 * server must not fail.
 */
export async function requestPaced<E extends keyof Requests>(
  socket: ClientSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs: number,
  signal?: AbortSignal,
  contentId?: string,
): Promise<{ success: true } & ResultOf<E>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(socket, event, payload, timeoutMs, contentId);
    } catch (error) {
      const wait = retryWait(error, attempt);
      if (wait === undefined) throw error;
      await delay(Math.max(wait, 10), signal);
    }
  }
}

/** Waits `ms` (a server-stated retry time), or rejects when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = signal ? onAbort(signal, () => {
      clearTimeout(timer);
      reject(signal.reason);
    }) : () => {};
  });
}
