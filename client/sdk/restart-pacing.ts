/**
 * A server that announces a graceful shutdown (`server-shutdown`) is most
 * likely restarting (a deploy, an upgrade). Socket.IO's backoff would make
 * each client wait 0.5–1.5 s, then 1–3 s more, after the connection drops;
 * for a short while after the notice this retries sooner (first after
 * 125–375 ms, then at most every 250–750 ms), so clients are back soon after
 * the server listens again. The configured backoff returns on reconnection,
 * or after RESTART_WINDOW_MS if the server stays away, so a long outage is
 * not polled any harder than configured.
 */
import type { ClientSocket } from './socket.ts';

export const RESTART_RETRY_DELAY_MS = 250;
export const RESTART_RETRY_DELAY_MAX_MS = 500;
export const RESTART_WINDOW_MS = 15_000;

export function retrySoonAfterShutdown(socket: ClientSocket): void {
  let restore: (() => void) | undefined;
  socket.on('server-shutdown', () => {
    const manager = socket.io;
    if (restore || !manager.reconnection()) return;
    const delay = manager.reconnectionDelay();
    const delayMax = manager.reconnectionDelayMax();
    manager.reconnectionDelay(Math.min(delay, RESTART_RETRY_DELAY_MS));
    manager.reconnectionDelayMax(Math.min(delayMax, RESTART_RETRY_DELAY_MAX_MS));
    const timer = setTimeout(() => restore?.(), RESTART_WINDOW_MS);
    (timer as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    const onConnect = () => restore?.();
    restore = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      manager.reconnectionDelay(delay);
      manager.reconnectionDelayMax(delayMax);
      restore = undefined;
    };
    socket.on('connect', onConnect);
  });
}
