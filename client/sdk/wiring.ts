/** Routes the server's events to the receiver and to the client's own events. */
import { isErrorCode } from '../../protocol/errors.ts';
import { ShareError } from './errors.ts';
import type { Receiver } from './receiver.ts';
import type { ClientSocket } from './socket.ts';
import type { ShareClientEvents } from './types.ts';

export interface Wiring {
  receiver: Receiver;
  /** The session whose events count; others (or none) are ignored. */
  sessionId(): string | undefined;
  emit<K extends keyof ShareClientEvents>(event: K, payload: ShareClientEvents[K]): void;
  connected(): void;
  disconnected(reason: string): void;
  connectFailed(error: Error): void;
  reconnectFailed(): void;
  /** content-removed / content-cleared: our own uploads of those items stop too. */
  removed(contentId: string | undefined): void;
  /** `resync`: the server may have missed changes; join again to catch up. */
  resync(): void;
}

export function wire(socket: ClientSocket, wiring: Wiring): void {
  const { receiver, emit } = wiring;
  const ours = (payload: { sessionId?: unknown } | undefined) =>
    wiring.sessionId() !== undefined && payload?.sessionId === wiring.sessionId();

  socket.on('connect', () => wiring.connected());
  socket.on('disconnect', (reason) => wiring.disconnected(reason));
  socket.on('connect_error', (error) => wiring.connectFailed(error));
  socket.io.on('reconnect_attempt', (attempt) => emit('reconnect-attempt', { attempt }));
  socket.io.on('reconnect_failed', () => wiring.reconnectFailed());
  socket.on('content', (payload) => receiver.onContent(payload));
  socket.on('chunk', (payload) => receiver.onChunk(payload));
  socket.on('chunk-available', (payload) => receiver.onChunkAvailable(payload));
  socket.on('upload-progress', (payload) => receiver.onUploadProgress(payload));
  socket.on('content-complete', (payload) => receiver.onComplete(payload));
  socket.on('content-cancelled', (payload) => receiver.onCancelled(payload));
  socket.on('content-removed', (payload) => {
    if (ours(payload) && typeof payload.contentId === 'string') wiring.removed(payload.contentId);
    receiver.onRemoved(payload);
  });
  socket.on('content-cleared', (payload) => {
    if (ours(payload)) wiring.removed(undefined);
    receiver.onCleared(payload);
  });
  socket.on('content-updated', (payload) => receiver.onUpdated(payload));
  socket.on('client-joined', (payload) => {
    if (!ours(payload)) return;
    receiver.memberJoined(payload.clientId);
    emit('client-joined', { id: payload.clientId, name: payload.clientName });
  });
  socket.on('client-left', (payload) => {
    if (!ours(payload)) return;
    receiver.memberLeft(payload.clientId);
    emit('client-left', { id: payload.clientId });
  });
  socket.on('resync', () => wiring.resync());
  // Failures of requests sent without an ack (the SDK always asks for one, so these are rare).
  socket.on('error', (payload) => {
    const code = isErrorCode(payload?.code) ? payload.code : 'INTERNAL';
    emit('error', new ShareError(code, typeof payload?.message === 'string' ? payload.message : 'Server error'));
  });
}
