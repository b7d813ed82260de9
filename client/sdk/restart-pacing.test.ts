import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../server/testing/harness.ts';
import { freePort, startServerAt } from '../../server/testing/fixed-port.ts';
import { RESTART_RETRY_DELAY_MAX_MS, RESTART_RETRY_DELAY_MS, retrySoonAfterShutdown } from './restart-pacing.ts';
import { DEFAULT_SOCKET_OPTIONS, createSocket } from './socket.ts';

/** The arguments of the next `event` (Socket.IO's emitters are not node:events ones). */
function next(emitter: { once(event: string, listener: (...args: never[]) => void): unknown }, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: never[]) => resolve(args)));
}

test('After a server-shutdown notice the client retries at the quick pace, and its own backoff returns once it is back', async (t) => {
  const port = await freePort();
  const dataDir = await tempDir(t);
  const first = await startServerAt(t, port, dataDir);
  const socket = createSocket(first.url, { socketOptions: { transports: ['websocket'] } });
  t.after(() => socket.disconnect());
  retrySoonAfterShutdown(socket);
  // With a bounded number of attempts, quick retries would use them up: that client keeps its backoff.
  const bounded = createSocket(first.url, { reconnectionAttempts: 5, socketOptions: { transports: ['websocket'] } });
  t.after(() => bounded.disconnect());
  retrySoonAfterShutdown(bounded);
  socket.connect();
  bounded.connect();
  await Promise.all([next(socket, 'connect'), next(bounded, 'connect')]);
  const configured = [socket.io.reconnectionDelay(), socket.io.reconnectionDelayMax()];
  assert.deepEqual(configured, [DEFAULT_SOCKET_OPTIONS.reconnectionDelay, DEFAULT_SOCKET_OPTIONS.reconnectionDelayMax]);

  // Read the pacing when the notice arrives (this listener runs after retrySoonAfterShutdown's).
  const duringRestart = new Promise<number[]>((resolve) =>
    socket.on('server-shutdown', () => resolve([socket.io.reconnectionDelay(), socket.io.reconnectionDelayMax()])),
  );
  const boundedDuringRestart = new Promise<number[]>((resolve) =>
    bounded.on('server-shutdown', () => resolve([bounded.io.reconnectionDelay(), bounded.io.reconnectionDelayMax()])),
  );
  const dropped = next(socket, 'disconnect');
  await first.app.close();
  assert.deepEqual(await duringRestart, [RESTART_RETRY_DELAY_MS, RESTART_RETRY_DELAY_MAX_MS]);
  assert.deepEqual(await boundedDuringRestart, configured);
  assert.equal((await dropped)[0], 'transport close');
  await next(socket.io, 'reconnect_attempt'); // it is retrying while the server is away

  await startServerAt(t, port, dataDir);
  await next(socket, 'connect');
  assert.deepEqual([socket.io.reconnectionDelay(), socket.io.reconnectionDelayMax()], configured);
});

test('Stopping the watch during the quick retries puts the configured backoff back', async (t) => {
  const port = await freePort();
  const server = await startServerAt(t, port, await tempDir(t));
  const socket = createSocket(server.url, { socketOptions: { transports: ['websocket'] } });
  t.after(() => socket.disconnect());
  const stop = retrySoonAfterShutdown(socket);
  socket.connect();
  await next(socket, 'connect');
  const quick = new Promise<number>((resolve) => socket.on('server-shutdown', () => resolve(socket.io.reconnectionDelay())));
  await server.app.close();
  assert.equal(await quick, RESTART_RETRY_DELAY_MS);
  stop(); // what ShareClient.close() does
  assert.deepEqual([socket.io.reconnectionDelay(), socket.io.reconnectionDelayMax()], [DEFAULT_SOCKET_OPTIONS.reconnectionDelay, DEFAULT_SOCKET_OPTIONS.reconnectionDelayMax]);
});
