import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, join, joinAs, nextEvent, startServer, type ClientSocket, type TestServer } from '../testing/harness.ts';

/** A client that the server takes for `address` (TRUST_PROXY=true reads X-Forwarded-For). */
function from(t: TestContext, server: TestServer, address: string): Promise<ClientSocket> {
  return connect(t, server, { extraHeaders: { 'x-forwarded-for': address } });
}

async function code(socket: ClientSocket, sessionId: string, passphrase: string) {
  const ack = await join(socket, sessionId, 'Someone', passphrase);
  return ack.success ? { code: 'JOINED', retryAfterMs: 0 } : { code: ack.code, retryAfterMs: ack.retryAfterMs ?? 0 };
}

test('wrong joins from three addresses cannot lock a session: the right passphrase from a fresh address joins, members rejoin, attackers wait longer and longer', async (t) => {
  const server = await startServer(t, { TRUST_PROXY: 'true', JOIN_BACKOFF: '200ms' });
  const alice = await from(t, server, '10.0.0.100');
  assert.equal((await join(alice, 'guarded', 'Alice', 'right words')).success, true);
  const bob = await from(t, server, '10.0.0.101');
  assert.equal((await join(bob, 'guarded', 'Bob', 'right words')).success, true);

  const attackers = await Promise.all(['10.6.6.1', '10.6.6.2', '10.6.6.3'].map((address) => from(t, server, address)));
  for (const attacker of attackers) {
    for (let i = 0; i < 10; i++) assert.equal((await code(attacker, 'guarded', `guess ${i}`)).code, 'UNAUTHORIZED');
  }
  // 30 failures for the session, 10 per address: every attacker address now waits, longer at each try.
  for (const attacker of attackers) {
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await code(attacker, 'guarded', 'right words');
      assert.equal(answer.code, 'RATE_LIMITED', 'even a right guess waits: the address is backed off before its proof is checked');
      waits.push(answer.retryAfterMs);
    }
    for (let i = 1; i < waits.length; i++) assert.ok(waits[i]! > waits[i - 1]!, `growing: ${waits.join(', ')}`);
  }

  // The right passphrase from an address that never failed joins at once.
  const carol = await from(t, server, '10.0.0.50');
  const joined = nextEvent(alice, 'client-joined');
  assert.equal((await code(carol, 'guarded', 'right words')).code, 'JOINED');
  assert.equal((await joined).clientName, 'Someone');

  // A member reconnects (a new connection, as after a network change) and rejoins; another rejoins on its connection.
  bob.disconnect();
  const bobAgain = await from(t, server, '10.0.0.101');
  assert.equal((await code(bobAgain, 'guarded', 'right words')).code, 'JOINED');
  assert.equal((await code(alice, 'guarded', 'right words')).code, 'JOINED');

  // Still under attack: a further wrong guess from a fresh address is answered, and that address then waits at once.
  const newcomer = await from(t, server, '10.6.6.4');
  assert.equal((await code(newcomer, 'guarded', 'guess')).code, 'UNAUTHORIZED');
  assert.equal((await code(newcomer, 'guarded', 'right words')).code, 'RATE_LIMITED');
});

test('an address over its failed joins waits JOIN_BACKOFF, then may try again; its next failure doubles the wait', async (t) => {
  const server = await startServer(t, { TRUST_PROXY: 'true', JOIN_FAILURES_PER_ADDRESS: '3', JOIN_BACKOFF: '300ms' });
  await joinAs(t, server, 'kept', 'Owner', 'right');
  const guesser = await from(t, server, '10.1.1.1');
  for (let i = 0; i < 3; i++) assert.equal((await code(guesser, 'kept', `guess ${i}`)).code, 'UNAUTHORIZED');
  const first = await code(guesser, 'kept', 'right');
  assert.equal(first.code, 'RATE_LIMITED');
  // 300 ms from the third failure, doubled by this attempt while refused.
  assert.ok(first.retryAfterMs > 300 && first.retryAfterMs <= 600, `${first.retryAfterMs}`);
  // The backoff is per address: the same address is refused for another session too.
  assert.equal((await code(guesser, 'elsewhere', 'any')).code, 'RATE_LIMITED');
  const other = await from(t, server, '10.1.1.2');
  assert.equal((await code(other, 'kept', 'right')).code, 'JOINED');
  // Wait out the refusal it was last given (the attempt above doubled it), as a client would.
  const last = await code(guesser, 'kept', 'right');
  await new Promise((resolve) => setTimeout(resolve, last.retryAfterMs));
  assert.equal((await code(guesser, 'kept', 'wrong')).code, 'UNAUTHORIZED');
  const longer = await code(guesser, 'kept', 'right');
  assert.equal(longer.code, 'RATE_LIMITED');
  assert.ok(longer.retryAfterMs > last.retryAfterMs, `${longer.retryAfterMs} after ${last.retryAfterMs}`);
});

test('a busy session (past JOINS_PER_SESSION attempts) still admits valid proofs, and backs off a failing address at its first failure', async (t) => {
  const server = await startServer(t, { TRUST_PROXY: 'true', JOINS_PER_SESSION: '3', JOIN_WINDOW: '1m' });
  await joinAs(t, server, 'popular', 'A', 'right');
  for (let i = 0; i < 5; i++) {
    const member = await from(t, server, `10.2.0.${i}`);
    assert.equal((await code(member, 'popular', 'right')).code, 'JOINED', `member ${i}`);
  }
  const guesser = await from(t, server, '10.2.9.9');
  assert.equal((await code(guesser, 'popular', 'wrong')).code, 'UNAUTHORIZED');
  assert.equal((await code(guesser, 'popular', 'right')).code, 'RATE_LIMITED');
  const quiet = await from(t, server, '10.2.9.9');
  assert.equal((await code(quiet, 'quiet', 'x')).code, 'RATE_LIMITED', 'the backoff is per address');
});
