import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MAX_TOTAL_CHUNKS, MAX_UPLOADS_PER_SOCKET } from '../../protocol/limits.ts';
import { connect, join, joinAs, startServer, type ClientSocket } from '../testing/harness.ts';

async function announce(socket: ClientSocket, sessionId: string, contentId: string, resumeToken?: Uint8Array) {
  const ack = await socket.timeout(5000).emitWithAck('content', {
    sessionId,
    content: { contentId, totalChunks: MAX_TOTAL_CHUNKS, encryptedDescriptor: randomBytes(32), iv: randomBytes(12), ...(resumeToken ? { resumeToken } : {}) },
  });
  return ack.success ? 'OK' : ack.code;
}

test('leaving and joining again does not free upload slots: parked uploads count against the connection', async (t) => {
  const server = await startServer(t, { EVENTS_PER_SOCKET: '100000' });
  const { socket } = await joinAs(t, server, 'parking', 'Parker');
  const tokens: Uint8Array[] = [];
  for (let i = 0; i < MAX_UPLOADS_PER_SOCKET; i++) {
    tokens.push(randomBytes(32));
    assert.equal(await announce(socket, 'parking', `u${i}`, tokens[i]), 'OK');
  }
  assert.equal(await announce(socket, 'parking', 'one-more'), 'RATE_LIMITED');
  for (let round = 0; round < 3; round++) {
    assert.equal((await socket.emitWithAck('leave', { sessionId: 'parking' })).success, true);
    assert.equal((await join(socket, 'parking', 'Parker')).success, true);
    assert.equal(await announce(socket, 'parking', `again-${round}`), 'RATE_LIMITED');
  }
  // Other sessions on the same connection count the same.
  assert.equal((await join(socket, 'elsewhere', 'Parker')).success, true);
  assert.equal(await announce(socket, 'elsewhere', 'there'), 'RATE_LIMITED');
  // Taking a parked upload back is not a new one; cancelling it frees its slot.
  const resumed = await socket.emitWithAck('resume-upload', { sessionId: 'parking', contentId: 'u0', resumeToken: tokens[0]! });
  assert.equal(resumed.success, true);
  assert.equal((await socket.emitWithAck('cancel-content', { sessionId: 'parking', contentId: 'u0' })).success, true);
  assert.equal(await announce(socket, 'parking', 'after-cancel'), 'OK');
});

test('uploads in progress or parked are capped per address too (UPLOADS_PER_ADDRESS), across connections', async (t) => {
  const server = await startServer(t, { UPLOADS_PER_ADDRESS: '20' });
  const first = (await joinAs(t, server, 'crowd', 'One')).socket;
  for (let i = 0; i < MAX_UPLOADS_PER_SOCKET; i++) assert.equal(await announce(first, 'crowd', `a${i}`), 'OK');
  first.disconnect();
  const second = await connect(t, server);
  assert.equal((await join(second, 'crowd', 'Two')).success, true);
  for (let i = 0; i < 20 - MAX_UPLOADS_PER_SOCKET; i++) assert.equal(await announce(second, 'crowd', `b${i}`), 'OK');
  assert.equal(await announce(second, 'crowd', 'over'), 'RATE_LIMITED');
});

test('a parked upload stops counting once abandoned', async (t) => {
  const server = await startServer(t, { UPLOAD_ABANDON_AFTER: '300ms', SWEEP_INTERVAL: '100ms', UPLOADS_PER_ADDRESS: '1' });
  const { socket } = await joinAs(t, server, 'patient', 'P');
  assert.equal(await announce(socket, 'patient', 'left-behind'), 'OK');
  await socket.emitWithAck('leave', { sessionId: 'patient' });
  assert.equal((await join(socket, 'patient', 'P')).success, true);
  assert.equal(await announce(socket, 'patient', 'too-soon'), 'RATE_LIMITED');
  const cancelled = new Promise((resolve) => socket.once('content-cancelled', resolve));
  await cancelled;
  assert.equal(await announce(socket, 'patient', 'later'), 'OK');
});
