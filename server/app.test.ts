import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, joinAs, nextEvent, startServer } from './testing/harness.ts';

test('a graceful shutdown tells clients, lets them reconnect on their own, and stops accepting', async (t) => {
  const server = await startServer(t);
  const { socket } = await joinAs(t, server, 'bye', 'Alice');
  const polling = await connect(t, server, { transports: ['polling'] });
  const told = nextEvent(socket, 'server-shutdown');
  const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  const pollingReason = new Promise<string>((resolve) => polling.once('disconnect', resolve));

  const started = Date.now();
  await server.app.close();
  assert.deepEqual(await told, { reconnect: true });
  // "transport close" (not "io server disconnect") is the reason on which clients reconnect by themselves.
  assert.equal(await reason, 'transport close');
  assert.match(await pollingReason, /transport close|transport error/);
  assert.ok(Date.now() - started < 2000, 'closed within the shutdown bound');
  await assert.rejects(fetch(`${server.url}/healthz`));
});
