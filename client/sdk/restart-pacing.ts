/**
 * A server that announces a graceful shutdown (`server-shutdown`) is most
 * likely restarting (a deploy, an upgrade). Socket.IO's backoff would make
 * each client wait 0.5–1.5 s, then 1–3 s more, after the connection drops;
 * for a short while after the notice this retries sooner (first after
 * 125–375 ms, then 250–500 ms, then every 500 ms), so clients are back soon
 * after the server listens again. The configured backoff returns on
 * reconnection, or after RESTART_WINDOW_MS if the server stays away, so a
 * long outage is not polled any harder than configured.
 *
 * Not with a bounded `reconnectionAttempts`: quick retries would spend the
 * budget in a second or two and end the session on an ordinary restart.
 */
import type { ClientSocket } from './socket.ts';

export const RESTART_RETRY_DELAY_MS = 250;
export const RESTART_RETRY_DELAY_MAX_MS = 500;
export const RESTART_WINDOW_MS = 15_000;

/** Starts watching for the notice; returns a function that stops it (and restores the pacing). */
export function retrySoonAfterShutdown(socket: ClientSocket): () => void {
  const manager = socket.io;
  let restore: (() => void) | undefined;
  const onShutdown = () => {
    if (restore || !manager.reconnection() || Number.isFinite(manager.reconnectionAttempts())) return;
    const delay = manager.reconnectionDelay();
    const delayMax = manager.reconnectionDelayMax();
    const quickDelay = Math.min(delay, RESTART_RETRY_DELAY_MS);
    const quickDelayMax = Math.min(delayMax, RESTART_RETRY_DELAY_MAX_MS);
    manager.reconnectionDelay(quickDelay);
    manager.reconnectionDelayMax(quickDelayMax);
    const timer = setTimeout(() => restore?.(), RESTART_WINDOW_MS);
    (timer as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    const onConnect = () => restore?.();
    restore = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      // Unless the application set other values meanwhile.
      if (manager.reconnectionDelay() === quickDelay) manager.reconnectionDelay(delay);
      if (manager.reconnectionDelayMax() === quickDelayMax) manager.reconnectionDelayMax(delayMax);
      restore = undefined;
    };
    socket.on('connect', onConnect);
  };
  socket.on('server-shutdown', onShutdown);
  return () => {
    socket.off('server-shutdown', onShutdown);
    restore?.();
  };
}
