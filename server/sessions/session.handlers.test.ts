import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { collect, connect, flush, join, joinAs, nextEvent, startServer, testKeys } from '../testing/harness.ts';
import { signJoinProof } from '../../protocol/crypto/index.ts';

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
  await join(bobSocket, 'room-2', '  Bob  ');
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

test('a session nobody is in loses its members but keeps its passphrase', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-5', 'Alice', 'first passphrase');
  const health = async () => (await (await fetch(`${server.url}/healthz`)).json()) as { sessions: number; storedSessions: number };
  assert.deepEqual(await health(), { ...(await health()), sessions: 1, storedSessions: 1 });
  await alice.socket.emitWithAck('leave', { sessionId: 'room-5' });
  assert.deepEqual(await health(), { ...(await health()), sessions: 0, storedSessions: 1 });
  const intruder = await connect(t, server);
  const refused = await join(intruder, 'room-5', 'Mallory', 'another passphrase');
  assert.equal(!refused.success && refused.code, 'UNAUTHORIZED');
  const bob = await joinAs(t, server, 'room-5', 'Bob', 'first passphrase');
  assert.equal(bob.ack.created, false);
  assert.deepEqual(bob.ack.clients, [{ id: bob.socket.id, name: 'Bob' }]);
});

test('joining twice keeps one membership and updates the name', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'room-6', 'Alice');
  const again = await join(alice.socket, 'room-6', 'Alice 2');
  assert.equal(again.success, true);
  assert.deepEqual(again.success && again.clients, [{ id: alice.socket.id, name: 'Alice 2' }]);
});

test('join refuses bad ids, names and proofs with INVALID_PAYLOAD', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  const auth = { verifier: randomBytes(32), proof: randomBytes(64) };
  const bad: unknown[] = [
    { sessionId: '', clientName: 'A', ...auth },
    { sessionId: '../etc', clientName: 'A', ...auth },
    { sessionId: 'a'.repeat(65), clientName: 'A', ...auth },
    { sessionId: 'ok', clientName: '', ...auth },
    { sessionId: 'ok', clientName: '   ', ...auth },
    { sessionId: 'ok', clientName: 'x'.repeat(65), ...auth },
    { sessionId: 'ok', clientName: 'bell\u0007', ...auth },
    { sessionId: 'ok', clientName: 'evil\u202e', ...auth },
    { sessionId: 42, clientName: 'A', ...auth },
    { sessionId: 'ok', ...auth },
    { sessionId: 'ok', clientName: 'A', verifier: randomBytes(31), proof: auth.proof },
    { sessionId: 'ok', clientName: 'A', verifier: auth.verifier, proof: randomBytes(65) },
    { sessionId: 'ok', clientName: 'A', verifier: 'base64?', proof: auth.proof },
    { sessionId: 'ok', clientName: 'A' },
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
    assert.equal((await join(socket, id, 'A')).success, true);
  }
  const fifth = await join(socket, 's5', 'A');
  assert.equal(!fifth.success && fifth.code, 'RATE_LIMITED');
});

test('leave without an ack that fails gets an error event', async (t) => {
  const server = await startServer(t);
  const socket = await connect(t, server);
  const error = nextEvent(socket, 'error');
  socket.emit('leave', { sessionId: 'nope' });
  assert.deepEqual(await error, { message: 'Not a member of this session', code: 'NOT_IN_SESSION' });
});

test('a wrong passphrase is refused with UNAUTHORIZED and the session keeps its members', async (t) => {
  const server = await startServer(t);
  const alice = await joinAs(t, server, 'locked', 'Alice', 'right passphrase');
  const intruder = await connect(t, server);
  const refused = await join(intruder, 'locked', 'Mallory', 'wrong passphrase');
  assert.deepEqual(refused, { success: false, error: 'Wrong passphrase for this session', code: 'UNAUTHORIZED' });
  const bob = await joinAs(t, server, 'locked', 'Bob', 'right passphrase');
  assert.deepEqual(bob.ack.clients.map((c) => c.name), ['Alice', 'Bob']);
  assert.equal(alice.ack.created, true);
});

test('a join without a fresh challenge is refused, and a challenge works once', async (t) => {
  const server = await startServer(t);
  await joinAs(t, server, 'once', 'Alice');
  const keys = await testKeys('once', 'test passphrase');
  const socket = await connect(t, server);
  const noChallenge = await socket.emitWithAck('join', {
    sessionId: 'once',
    clientName: 'Replayer',
    verifier: keys.authPublicKey,
    proof: new Uint8Array(64),
  });
  assert.equal(!noChallenge.success && noChallenge.code, 'UNAUTHORIZED');

  const challenge = await socket.emitWithAck('join-challenge', { sessionId: 'once' });
  assert.ok(challenge.success);
  const proof = await signJoinProof(keys, 'once', new Uint8Array(challenge.challenge));
  const payload = { sessionId: 'once', clientName: 'Bob', verifier: keys.authPublicKey, proof };
  assert.equal((await socket.emitWithAck('join', payload)).success, true);
  const replayed = await socket.emitWithAck('join', payload);
  assert.equal(!replayed.success && replayed.code, 'UNAUTHORIZED');

  // A recorded join message replayed on another connection fails against that connection's challenge.
  const other = await connect(t, server);
  await other.emitWithAck('join-challenge', { sessionId: 'once' });
  const elsewhere = await other.emitWithAck('join', payload);
  assert.equal(!elsewhere.success && elsewhere.code, 'UNAUTHORIZED');
});

test('a challenge for one session does not admit to another', async (t) => {
  const server = await startServer(t);
  await joinAs(t, server, 'first', 'Alice');
  const keys = await testKeys('second', 'test passphrase');
  const socket = await connect(t, server);
  const challenge = await socket.emitWithAck('join-challenge', { sessionId: 'first' });
  assert.ok(challenge.success);
  const proof = await signJoinProof(keys, 'second', new Uint8Array(challenge.challenge));
  const ack = await socket.emitWithAck('join', { sessionId: 'second', clientName: 'Bob', verifier: keys.authPublicKey, proof });
  assert.equal(!ack.success && ack.code, 'UNAUTHORIZED');
});

test('repeated wrong passphrases back an address off, for every session, until its wait is over', async (t) => {
  const server = await startServer(t, {
    JOIN_FAILURES_PER_ADDRESS: '3',
    JOIN_FAILURES_PER_SESSION: '100',
    JOIN_BACKOFF: '500ms',
  });
  await joinAs(t, server, 'guarded', 'Alice', 'right');
  const guesser = await connect(t, server);
  for (let i = 0; i < 3; i++) {
    const ack = await join(guesser, 'guarded', 'Mallory', `guess-${i}`);
    assert.equal(!ack.success && ack.code, 'UNAUTHORIZED');
  }
  const limited = await join(guesser, 'guarded', 'Mallory', 'right');
  assert.equal(!limited.success && limited.code, 'RATE_LIMITED');
  assert.ok(!limited.success && limited.retryAfterMs! > 0 && limited.retryAfterMs! <= 1000);
  // The backoff is per address: another session from the same address is refused too (and the wait grows).
  const elsewhere = await join(guesser, 'other-session', 'Mallory', 'anything');
  assert.equal(!elsewhere.success && elsewhere.code, 'RATE_LIMITED');
  await new Promise((resolve) => setTimeout(resolve, (!elsewhere.success && elsewhere.retryAfterMs) || 0));
  const recovered = await join(guesser, 'guarded', 'Mallory', 'right');
  assert.equal(recovered.success, true);
});

test('failures for one session never refuse the right passphrase (see join-lockout.test.ts for several addresses)', async (t) => {
  const server = await startServer(t, {
    JOIN_FAILURES_PER_ADDRESS: '100',
    JOIN_FAILURES_PER_SESSION: '2',
    JOIN_FAILURE_WINDOW_MS: '60000',
  });
  await joinAs(t, server, 'target', 'Alice', 'right');
  for (let i = 0; i < 2; i++) {
    const ack = await join(await connect(t, server), 'target', 'Mallory', `guess-${i}`);
    assert.equal(!ack.success && ack.code, 'UNAUTHORIZED');
  }
  const member = await join(await connect(t, server), 'target', 'Bob', 'right');
  assert.equal(member.success, true);
  // Past the session's limit, a failing address is backed off at its first failure (here all share 127.0.0.1).
  const third = await join(await connect(t, server), 'target', 'Mallory', 'guess-3');
  assert.equal(!third.success && third.code, 'UNAUTHORIZED');
  const limited = await join(await connect(t, server), 'target', 'Mallory', 'guess-4');
  assert.equal(!limited.success && limited.code, 'RATE_LIMITED');
});

test('join with create: false refuses a session that does not exist (NOT_FOUND, nothing created) and joins one that does', async (t) => {
  const server = await startServer(t);
  const joinExisting = async (socket: Awaited<ReturnType<typeof connect>>, sessionId: string, passphrase = 'test passphrase') => {
    const keys = await testKeys(sessionId, passphrase);
    const challenge = await socket.emitWithAck('join-challenge', { sessionId });
    assert.equal(challenge.success, true);
    const proof = await signJoinProof(keys, sessionId, new Uint8Array(challenge.success ? challenge.challenge : []));
    return socket.emitWithAck('join', { sessionId, clientName: 'Typist', verifier: keys.authPublicKey, proof, create: false });
  };

  const typist = await connect(t, server);
  const missing = await joinExisting(typist, 'no-such-session');
  assert.deepEqual(missing.success ? missing : { success: false, code: missing.code }, { success: false, code: 'NOT_FOUND' });
  assert.equal(await server.app.store.sessionCount(), 0, 'the mistyped id did not become a session');

  await joinAs(t, server, 'real-session', 'Owner');
  const found = await joinExisting(typist, 'real-session');
  assert.equal(found.success && found.created, false);
  assert.deepEqual(found.success && found.clients.map((c) => c.name), ['Owner', 'Typist']);

  const stranger = await connect(t, server);
  const wrong = await joinExisting(stranger, 'real-session', 'wrong words');
  assert.equal(!wrong.success && wrong.code, 'UNAUTHORIZED');
  // A join without the field still creates, as before.
  const creator = await connect(t, server);
  const fresh = await join(creator, 'brand-new', 'Creator');
  assert.equal(fresh.success && fresh.created, true);
});
