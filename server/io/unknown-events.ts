/** Answers events nobody handles, so a client waiting on an ack never hangs. */
import type { AckResponse } from '../../protocol/events.ts';
import type { IoSocket } from './types.ts';

export function answerUnknownEvents(socket: IoSocket): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    // 'error' has a listener only to keep EventEmitter from throwing (see connection.ts).
    if (typeof event === 'string' && event !== 'error' && socket.listenerCount(event) > 0) return;
    const ack = args[args.length - 1];
    if (typeof ack !== 'function') return;
    const response: AckResponse = { success: false, error: 'Unknown event', code: 'UNKNOWN_EVENT' };
    (ack as (response: AckResponse) => void)(response);
  });
}
