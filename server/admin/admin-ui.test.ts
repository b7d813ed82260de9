import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { io } from 'socket.io-client';
import { joinAs, nextEvent, startServer } from '../testing/harness.ts';

const ADMIN = { ADMIN_USERNAME: 'operator', ADMIN_PASSWORD_HASH: bcrypt.hashSync('correct admin password', 4) };

function adminSocket(url: string, password: string) {
  // The admin UI uses Socket.IO's default parser, not msgpack.
  return io(`${url}/admin`, { auth: { username: 'operator', password }, transports: ['websocket'], reconnection: false, forceNew: true });
}

test('the admin UI connects with the right password, sees the connections, and members keep sharing in msgpack', async (t) => {
  const server = await startServer(t, ADMIN);
  const alice = await joinAs(t, server, 'watched', 'Alice');
  const bob = await joinAs(t, server, 'watched', 'Bob');

  const admin = adminSocket(server.url, 'correct admin password');
  t.after(() => admin.disconnect());
  // Production mode: aggregated statistics every 2 s, never payloads.
  const stats = await new Promise<{ clientsCount: number; namespaces: Array<{ name: string; socketsCount: number }> }>((resolve) => {
    admin.on('server_stats', (value: { clientsCount: number; namespaces: Array<{ name: string; socketsCount: number }> }) => {
      if (value.namespaces.find((n) => n.name === '/')?.socketsCount === 2) resolve(value);
    });
  });
  assert.equal(stats.clientsCount, 3);

  const arrived = nextEvent(bob.socket, 'content');
  const ack = await alice.socket.emitWithAck('content', {
    sessionId: 'watched',
    content: { contentId: 'x', totalChunks: 0, encryptedDescriptor: new Uint8Array(32), iv: new Uint8Array(12) },
  });
  assert.equal(ack.success, true);
  assert.equal((await arrived).content.contentId, 'x');
});

test('the admin UI refuses a wrong password', async (t) => {
  const server = await startServer(t, ADMIN);
  const admin = adminSocket(server.url, 'guess');
  t.after(() => admin.disconnect());
  const error = await new Promise<Error>((resolve) => admin.once('connect_error', resolve));
  assert.match(error.message, /invalid credentials/i);
});

test('the admin front end is served at /admin/ only when enabled', async (t) => {
  const enabled = await startServer(t, ADMIN);
  const page = await fetch(`${enabled.url}/admin/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Socket\.IO Admin UI/);
  const disabled = await startServer(t);
  assert.equal((await fetch(`${disabled.url}/admin/`)).status, 404);
});

test('a default-parser client cannot use the main namespace when the admin UI is on', async (t) => {
  const server = await startServer(t, ADMIN);
  const plain = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  t.after(() => plain.disconnect());
  const reason = await new Promise<string>((resolve) => {
    plain.once('connect', () => resolve('connected'));
    plain.once('connect_error', () => resolve('refused'));
    plain.once('disconnect', () => resolve('refused'));
  });
  assert.equal(reason, 'refused');
});

test('/metrics exposes counters and honours METRICS_TOKEN', async (t) => {
  const server = await startServer(t, { METRICS_TOKEN: 'scrape-me' });
  await joinAs(t, server, 'measured', 'Alice');
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer scrape-me' } });
  assert.equal(res.status, 200);
  const body = await res.text();
  assert.match(body, /^sharethings_requests_total\{event="join",node="local"\} 1$/m);
  assert.match(body, /^sharethings_connections\{scope="node",node="local"\} 1$/m);
  assert.match(body, /^sharethings_sessions_stored\{scope="cluster",node="local"\} 1$/m);
  assert.doesNotMatch(body, /measured/);
});
