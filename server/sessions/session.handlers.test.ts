import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connect, flush, joinAs, nextEvent, startServer } from '../testing/harness.ts';

test('join answers with the member list and says the session was created', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-1', 'Alice');
  
  assert.equal(alice.ack.created, true);
  assert.deepEqual(alice.ack.clients, [{ id: alice.socket.id, name: 'Alice' }]);

  const bob = await joinAs(t, server, 'room-1', 'Bob');
  assert.equal(bob.ack.created, false);
  assert.deepEqual(
    bob.ack.clients.map((c) => c.name),
    ['Alice', 'Bob'],
  );
});

test('the other members are told when someone joins, and the joiner is not', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-2', 'Alice');
  const aliceSeen = nextEvent(alice.socket, 'client-joined');
  const bobSocket = await connect(t, server);
  const bobJoins = collect(bobSocket, 'client-joined');
  await bobSocket.emitWithAck('join', { sessionId: 'room-2', clientName: '  Bob  ' });
  assert.deepEqual(await aliceSeen, { sessionId: 'room-2', clientId: bobSocket.id, clientName: 'Bob' });
  await flush(bobSocket);
  assert.deepEqual(bobJoins, []);
});

test('leave removes the member and tells the others', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-3', 'Alice');
  const bob = await joinAs(t, server, 'room-3', 'Bob');
  const left = nextEvent(alice.socket, 'client-left');
  const ack = await bob.socket.emitWithAck('leave', { sessionId: 'room-3' });
  assert.deepEqual(ack, { success: true });
  assert.deepEqual(await left, { sessionId: 'room-3', clientId: bob.socket.id });
  const carol = await joinAs(t, server, 'room-3', 'Carol');
  assert.deepEqual(
    carol.ack.clients.map((c) => c.name),
    ['Alice', 'Carol'],
  );
});

test('a disconnect counts as leaving', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-4', 'Alice');
  const bob = await joinAs(t, server, 'room-4', 'Bob');
  const left = nextEvent(alice.socket, 'client-left');
  const bobId = bob.socket.id;
  bob.socket.disconnect();
  assert.deepEqual(await left, { sessionId: 'room-4', clientId: bobId });
});

test('an empty session disappears, and the next join creates it anew', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-5', 'Alice');
  const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as { sessions: number };
  assert.equal((await health()).sessions, 1);
  await alice.socket.emitWithAck('leave', { sessionId: 'room-5' });
  assert.equal((await health()).sessions, 0);
  const bob = await joinAs(t, server, 'room-5', 'Bob');
  assert.equal(bob.ack.created, true);
  assert.deepEqual(bob.ack.clients, [{ id: bob.socket.id, name: 'Bob' }]);
});

test('joining twice keeps one membership and updates the name', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-6', 'Alice');
  const again = await alice.socket.emitWithAck('join', { sessionId: 'room-6', clientName: 'Alice 2' });
  assert.equal(again.success, true);
  assert.deepEqual(again.success && again.clients, [{ id: alice.socket.id, name: 'Alice 2' }]);
});

test('join refuses bad ids and names with INVALID_PAYLOAD', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  const bad: unknown[] = [
    { sessionId: '', clientName: 'A' },
    { sessionId: '../etc', clientName: 'A' },
    { sessionId: 'a'.repeat(65), clientName: 'A' },
    { sessionId: 'ok', clientName: '' },
    { sessionId: 'ok', clientName: '   ' },
    { sessionId: 'ok', clientName: 'x'.repeat(65) },
    { sessionId: 'ok', clientName: 'bell\u0007' },
    { sessionId: 'ok', clientName: 'evil\u202e' },
    { sessionId: 42, clientName: 'A' },
    { sessionId: 'ok' },
    'ok',
    null,
    [],
  ];
  for (const payload of bad) {
    const ack = await socket.emitWithAck('join', payload as never);
    assert.equal(ack.success, false, `accepted ${JSON.stringify(payload)}`);
    assert.equal(!ack.success && ack.code, 'INVALID_PAYLOAD');
  }
});

test('leave of a session not joined answers NOT_IN_SESSION', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  const ack = await socket.emitWithAck('leave', { sessionId: 'never-joined' });
  assert.deepEqual(ack, { success: false, error: 'Not a member of this session', code: 'NOT_IN_SESSION' });
});

test('a connection may be in at most four sessions', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  for (const id of ['s1', 's2', 's3', 's4']) {
    assert.equal((await socket.emitWithAck('join', { sessionId: id, clientName: 'A' })).success, true);
  }
  const fifth = await socket.emitWithAck('join', { sessionId: 's5', clientName: 'A' });
  assert.equal(!fifth.success && fifth.code, 'RATE_LIMITED');
});

test('leave without an ack that fails gets an error event', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  const error = nextEvent(socket, 'error');
  socket.emit('leave', { sessionId: 'nope' });
  assert.deepEqual(await error, { message: 'Not a member of this session', code: 'NOT_IN_SESSION' });
});
