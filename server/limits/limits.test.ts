import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import * as parser from '../../protocol/parser.ts';
import type { AckResponse } from '../../protocol/events.ts';
import { connect, join, joinAs, startServer, type TestServer } from '../testing/harness.ts';

const waitFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries to connect; resolves 'connected' or the connect_error's data. */
function tryConnect(t: Parameters<typeof startServer>[0], server: TestServer, options: Record<string, unknown> = {}) {
  const socket = io(server.url, { transports: ['websocket'], parser, reconnection: false, forceNew: true, ...options });
  t.after(() => socket.disconnect());
  return new Promise<'connected' | { code: string; retryAfterMs?: number }>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error: Error & { data?: { code: string; retryAfterMs?: number } }) => resolve(error.data ?? { code: error.message }));
  });
}

test('new connections per address are limited, with a retry hint, and recover after the window', async (t) => {
  const server = await startServer(t, { CONNECTIONS_PER_ADDRESS: '3', CONNECTION_WINDOW: '1s' });
  for (let i = 0; i < 3; i++) assert.equal(await tryConnect(t, server), 'connected');
  const refused = await tryConnect(t, server);
  assert.ok(typeof refused === 'object' && refused.code === 'RATE_LIMITED', JSON.stringify(refused));
  assert.ok(refused.retryAfterMs! > 0 && refused.retryAfterMs! <= 1000);
  await waitFor(refused.retryAfterMs!);
  assert.equal(await tryConnect(t, server), 'connected');
});

test('spoofed X-Forwarded-For is ignored without TRUST_PROXY', async (t) => {
  const server = await startServer(t, { CONNECTIONS_PER_ADDRESS: '2' });
  const spoof = (address: string) => tryConnect(t, server, { extraHeaders: { 'X-Forwarded-For': address } });
  assert.equal(await spoof('10.0.0.1'), 'connected');
  assert.equal(await spoof('10.0.0.2'), 'connected');
  assert.equal(((await spoof('10.0.0.3')) as { code: string }).code, 'RATE_LIMITED');
});

test('with TRUST_PROXY the address our proxy saw counts, not what the client claims', async (t) => {
  const server = await startServer(t, { CONNECTIONS_PER_ADDRESS: '1', TRUST_PROXY: '1' });
  const via = (header: string) => tryConnect(t, server, { extraHeaders: { 'X-Forwarded-For': header } });
  assert.equal(await via('203.0.113.7'), 'connected');
  assert.equal(await via('203.0.113.8'), 'connected');
  // A client prepending a fake address still counts as the proxy-seen one.
  assert.equal(((await via('198.51.100.1, 203.0.113.7')) as { code: string }).code, 'RATE_LIMITED');
});

test('ACCESS_TOKEN refuses a wrong token at the handshake, no token at the connect step, and accepts it in the query, a header or auth', async (t) => {
  const server = await startServer(t, { ACCESS_TOKEN: 'private deployment' });
  // Wrong: refused at the handshake (HTTP 403), before the connect step: a transport error.
  assert.deepEqual(await tryConnect(t, server, { query: { accessToken: 'wrong' } }), { code: 'websocket error' });
  // None: a few such handshakes are admitted (clients that send it only in auth), then refused at the connect step.
  assert.deepEqual(await tryConnect(t, server), { code: 'UNAUTHORIZED' });
  // Right at the handshake, wrong in auth: refused at the connect step.
  assert.deepEqual(await tryConnect(t, server, { query: { accessToken: 'private deployment' }, auth: { accessToken: 'wrong' } }), { code: 'UNAUTHORIZED' });
  assert.equal(await tryConnect(t, server, { query: { accessToken: 'private deployment' } }), 'connected');
  assert.equal(await tryConnect(t, server, { extraHeaders: { Authorization: 'Bearer private deployment' } }), 'connected');
  assert.equal(await tryConnect(t, server, { query: { accessToken: 'private deployment' }, auth: { accessToken: 'private deployment' } }), 'connected');
  // Only in auth, as a stock Socket.IO client (or the admin UI) sends it.
  assert.equal(await tryConnect(t, server, { auth: { accessToken: 'private deployment' } }), 'connected');
});

test('events per connection are limited and recover after the window', async (t) => {
  const server = await startServer(t, { EVENTS_PER_SOCKET: '5', EVENT_WINDOW: '500ms' });
  const socket = await connect(t, server);
  const acks = [];
  for (let i = 0; i < 6; i++) acks.push(await socket.emitWithAck('join-challenge', { sessionId: 'busy' }));
  assert.equal(acks.filter((a) => a.success).length, 5);
  const last = acks[5]!;
  assert.ok(!last.success && last.code === 'RATE_LIMITED' && last.retryAfterMs! > 0);
  await waitFor(last.retryAfterMs!);
  assert.equal((await socket.emitWithAck('join-challenge', { sessionId: 'busy' })).success, true);
});

test('bytes per connection are limited and recover after the window', async (t) => {
  const server = await startServer(t, { BYTES_PER_SOCKET: '3000', EVENT_WINDOW: '500ms' });
  const { socket } = await joinAs(t, server, 'bytes', 'Alice');
  const send = (contentId: string) =>
    socket.emitWithAck('content', { sessionId: 'bytes', content: { contentId, totalChunks: 0, encryptedDescriptor: randomBytes(1400), iv: randomBytes(12) } });
  assert.equal((await send('a')).success, true);
  assert.equal((await send('b')).success, true);
  const third = await send('c');
  assert.ok(!third.success && third.code === 'RATE_LIMITED' && third.retryAfterMs! > 0);
  await waitFor(third.retryAfterMs!);
  assert.equal((await send('d')).success, true);
});

test('join attempts are limited per address and recover after the window', async (t) => {
  const server = await startServer(t, { JOINS_PER_ADDRESS: '2', JOIN_WINDOW: '500ms' });
  const socket = await connect(t, server);
  assert.equal((await join(socket, 'j1', 'A')).success, true);
  assert.equal((await join(socket, 'j2', 'A')).success, true);
  const third = await join(socket, 'j3', 'A');
  assert.ok(!third.success && third.code === 'RATE_LIMITED' && third.retryAfterMs! > 0);
  await waitFor(third.retryAfterMs!);
  assert.equal((await join(socket, 'j3', 'A')).success, true);
});

test('join attempts past the per-session limit still admit valid proofs (it only backs failing addresses off at once)', async (t) => {
  const server = await startServer(t, { JOINS_PER_SESSION: '2', JOIN_WINDOW: '500ms' });
  assert.equal((await join(await connect(t, server), 'popular', 'A')).success, true);
  assert.equal((await join(await connect(t, server), 'popular', 'B')).success, true);
  assert.equal((await join(await connect(t, server), 'popular', 'C')).success, true);
  assert.equal((await join(await connect(t, server), 'quiet', 'D')).success, true);
});

test('sessions created per address are limited, joining existing ones is not, and they recover after the window', async (t) => {
  const server = await startServer(t, { SESSIONS_CREATED_PER_ADDRESS: '2', SESSION_CREATION_WINDOW: '500ms' });
  await joinAs(t, server, 'new-1', 'A');
  await joinAs(t, server, 'new-2', 'A');
  const third = await join(await connect(t, server), 'new-3', 'A');
  assert.ok(!third.success && third.code === 'RATE_LIMITED' && third.retryAfterMs! > 0);
  assert.equal((await join(await connect(t, server), 'new-1', 'B')).success, true);
  await waitFor(third.retryAfterMs!);
  assert.equal((await join(await connect(t, server), 'new-3', 'A')).success, true);
});

test('a session holds at most MEMBERS_PER_SESSION members, and has room again when one leaves', async (t) => {
  const server = await startServer(t, { MEMBERS_PER_SESSION: '2' });
  await joinAs(t, server, 'small', 'A');
  const b = await joinAs(t, server, 'small', 'B');
  const carol = await connect(t, server);
  const third = await join(carol, 'small', 'C');
  assert.equal(!third.success && third.code, 'SESSION_FULL');
  await b.socket.emitWithAck('leave', { sessionId: 'small' });
  assert.equal((await join(carol, 'small', 'C')).success, true);
});

test('a batch runs its messages in order, each answered as if sent alone', async (t) => {
  const server = await startServer(t);
  const { socket } = await joinAs(t, server, 'batched', 'Alice');
  const ack = await socket.emitWithAck('batch', [
    { event: 'pin-content', payload: { sessionId: 'batched', contentId: 'nope', pinned: true } },
    { event: 'leave', payload: { sessionId: '../bad' } },
    { event: 'no-such-event', payload: {} },
    { event: 'batch', payload: [] },
    { event: 'join-challenge', payload: { sessionId: 'batched' } },
  ]);
  assert.ok(ack.success);
  assert.deepEqual(ack.results.map((r: AckResponse) => (r.success ? "ok" : r.code)), ['NOT_FOUND', 'INVALID_PAYLOAD', 'UNKNOWN_EVENT', 'UNKNOWN_EVENT', 'ok']);
  const tooMany = await socket.emitWithAck('batch', Array.from({ length: 51 }, () => ({ event: 'leave', payload: {} })));
  assert.equal(!tooMany.success && tooMany.code, 'INVALID_PAYLOAD');
});

test('chunks are paced by the byte budget, not the request count', async (t) => {
  const server = await startServer(t, { EVENTS_PER_SOCKET: '3' });
  const { socket } = await joinAs(t, server, 'transfer', 'Alice');
  await socket.emitWithAck('content', { sessionId: 'transfer', content: { contentId: 'f', totalChunks: 10, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) } });
  for (let chunkIndex = 0; chunkIndex < 10; chunkIndex++) {
    const ack = await socket.emitWithAck('chunk', { sessionId: 'transfer', chunk: { contentId: 'f', chunkIndex, totalChunks: 10, encryptedData: randomBytes(100), iv: randomBytes(12) } });
    assert.equal(ack.success, true, `chunk ${chunkIndex}`);
  }
  const other = await socket.emitWithAck('pin-content', { sessionId: 'transfer', contentId: 'f', pinned: true });
  assert.equal(!other.success && other.code, 'RATE_LIMITED');
});

test('a fetched chunk counts its stored size against the byte budget, not an estimate', async (t) => {
  const server = await startServer(t, { BYTES_PER_SOCKET: String(2.5 * 1024 * 1024), EVENT_WINDOW: '30s' });
  const alice = (await joinAs(t, server, 'fetched', 'Alice')).socket;
  const bob = (await joinAs(t, server, 'fetched', 'Bob')).socket;
  const chunkBytes = 1024 * 1024;
  await alice.emitWithAck('content', { sessionId: 'fetched', content: { contentId: 'f', totalChunks: 2, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) } });
  for (const chunkIndex of [0, 1]) {
    const chunk = { contentId: 'f', chunkIndex, totalChunks: 2, encryptedData: randomBytes(chunkBytes), iv: randomBytes(12) };
    assert.equal((await alice.emitWithAck('chunk', { sessionId: 'fetched', chunk })).success, true, `chunk ${chunkIndex}`);
  }
  const fetch = (chunkIndex: number) => bob.emitWithAck('fetch-chunk', { sessionId: 'fetched', contentId: 'f', chunkIndex });
  // 1 MiB, 2 MiB, then 2.25 MiB counted before the third is read (allowed) and 3 MiB after it.
  for (const chunkIndex of [0, 1, 0]) assert.equal((await fetch(chunkIndex)).success, true, `fetch ${chunkIndex}`);
  const refused = await fetch(1);
  assert.equal(!refused.success && refused.code, 'RATE_LIMITED');
});
