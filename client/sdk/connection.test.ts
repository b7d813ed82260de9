/** Connecting: access tokens, refusals with the server's code, timeouts, and throttled progress events. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { startServer } from '../../server/testing/harness.ts';
import { MiB, collect, newClient, next, randomData } from './test-helpers.ts';

test('A server with an access token refuses a client without it (UNAUTHORIZED) and admits one that sends it', async (t) => {
  const server = await startServer(t, { ACCESS_TOKEN: 'let-me-in' });
  const stranger = newClient(t, server.url, 'Stranger');
  const refused = next(stranger, 'connection-error');
  await assert.rejects(stranger.join('private', 'test passphrase'), { code: 'UNAUTHORIZED' });
  assert.equal((await refused).code, 'UNAUTHORIZED');

  const wrong = newClient(t, server.url, 'Wrong', { accessToken: 'guess' });
  await assert.rejects(wrong.join('private', 'test passphrase'), { code: 'UNAUTHORIZED' });

  const member = newClient(t, server.url, 'Member', { accessToken: 'let-me-in' });
  const errors = collect(member, 'connection-error');
  const info = await member.join('private', 'test passphrase');
  assert.equal(info.created, true);
  assert.deepEqual(errors, []);
});

test('Too many connections from one address are refused with RATE_LIMITED and a retry time', async (t) => {
  const server = await startServer(t, { CONNECTIONS_PER_ADDRESS: '1', CONNECTION_WINDOW: '1m' });
  const first = newClient(t, server.url, 'First');
  await first.join('limited', 'test passphrase');
  const second = newClient(t, server.url, 'Second');
  const refused = next(second, 'connection-error');
  const error = await second.join('limited', 'test passphrase').then(
    () => assert.fail('the second connection was admitted'),
    (e: { code?: string; retryAfterMs?: number }) => e,
  );
  assert.equal(error.code, 'RATE_LIMITED');
  assert.ok((error.retryAfterMs ?? 0) > 0, 'with a retry time');
  const event = await refused;
  assert.equal(event.code, 'RATE_LIMITED');
  assert.ok((event.retryAfterMs ?? 0) > 0);
});

test('A server that never answers the handshake makes the client emit connection-timeout', async (t) => {
  // Accepts TCP connections and says nothing.
  const silent = net.createServer((socket) => socket.on('error', () => {}));
  const held = new Set<net.Socket>();
  silent.on('connection', (socket) => held.add(socket));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(() => {
    for (const socket of held) socket.destroy();
    silent.close();
  });
  const { port } = silent.address() as net.AddressInfo;
  const client = newClient(t, `http://127.0.0.1:${port}`, 'Patient', { timeout: 200, reconnection: false });
  const timedOut = next(client, 'connection-timeout');
  const joining = client.join('nowhere', 'test passphrase');
  joining.catch(() => {});
  await timedOut;
  await assert.rejects(joining, { code: 'UNAVAILABLE' });
});

test('Progress events are throttled to about ten a second per transfer, and the final one is always sent', async (t) => {
  const server = await startServer(t);
  const alice = newClient(t, server.url, 'Alice');
  const bob = newClient(t, server.url, 'Bob');
  await alice.join('throttled', 'test passphrase');
  await bob.join('throttled', 'test passphrase');
  const data = randomData(30 * MiB); // 120 chunks: 120 events per side without throttling
  const times = { upload: [] as number[], download: [] as number[] };
  const last = { upload: 0, download: 0 };
  for (const [client, direction] of [[alice, 'upload'], [bob, 'download']] as const) {
    client.on('progress', (p) => {
      assert.equal(p.direction, direction);
      assert.ok(p.bytes >= last[direction], 'never backwards');
      last[direction] = p.bytes;
      times[direction].push(performance.now());
    });
  }
  const received = next(bob, 'content').then((item) => item.bytes());
  const started = performance.now();
  await alice.shareFile(data, { name: 'big.bin', type: '' });
  assert.equal((await received).length, data.length);
  const seconds = (performance.now() - started) / 1000;
  for (const direction of ['upload', 'download'] as const) {
    const stamps = times[direction];
    assert.equal(last[direction], data.length, `${direction}: the final event carries the total`);
    // One per 100 ms at most, plus the first and the final one.
    assert.ok(stamps.length <= Math.ceil(seconds * 10) + 2, `${direction}: ${stamps.length} events in ${seconds.toFixed(2)} s`);
    for (let i = 1; i < stamps.length - 1; i++) {
      assert.ok(stamps[i]! - stamps[i - 1]! >= 90, `${direction}: events ${i - 1} and ${i} only ${(stamps[i]! - stamps[i - 1]!).toFixed(0)} ms apart`);
    }
  }
});
