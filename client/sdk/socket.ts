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
import { ShareError, ackError } from './errors.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * reconnectionAttempts is Infinity (not the seed's 5): a tab left open must
 * come back after a server restart or a long network outage, and the backoff
 * is capped at reconnectionDelayMax, so retrying forever costs one attempt
 * every 5 s. Pass socketOptions.reconnectionAttempts to bound it.
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

export function createSocket(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket {
  return io(url, {
    ...DEFAULT_SOCKET_OPTIONS,
    ...options,
    parser, // the server speaks only this parser
    autoConnect: false, // connect on the first join, not on construction
    forceNew: true, // one connection per client, never shared with another ShareClient
  });
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
    // While socket.io keeps retrying (`active`), a failed attempt is not the end.
    const onError = (error: Error) => {
      if (!socket.active) done(new ShareError('UNAVAILABLE', `Cannot connect: ${error.message}`, { cause: error }));
    };
    const timer = setTimeout(() => done(new ShareError('UNAVAILABLE', 'Timed out connecting to the server')), timeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
