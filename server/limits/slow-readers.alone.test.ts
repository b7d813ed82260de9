/**
 * Issue 16, item 1: a client that stops reading its socket cannot make the
 * server hold its answers without bound, whether it fetches chunks (alone or
 * in a batch) or receives items shared by others. The server runs as its own
 * process so its RSS is its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket as NetSocket } from 'node:net';
import type { AckResponse } from '../../protocol/events.ts';
import { connect, join, joinAs, nextEvent, tempDir, type ClientSocket, type TestServer } from '../testing/harness.ts';
import { asTestServer, spawnServer } from '../testing/server-process.ts';
import { MB, rssBytes, watchServer } from '../testing/overload.ts';

/** The TCP socket under a connected socket.io-client WebSocket, to stop and resume reading it. */
function tcpOf(socket: ClientSocket): NetSocket {
  const transport = socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } };
  return transport.ws._socket;
}

async function startProcess(t: Parameters<typeof spawnServer>[0], env: Record<string, string> = {}): Promise<{ server: TestServer; pid: number }> {
  const dataDir = await tempDir(t);
  const child = await spawnServer(t, { DATA_DIR: dataDir, ...env });
  // A first answer, so the watch measures the attack, not the server's first request.
  await fetch(`${child.url}/healthz`).then((response) => response.text());
  return { server: asTestServer(child, dataDir), pid: child.child.pid! };
}

/** Two members of another session share a text meanwhile: the server keeps serving everyone else. */
async function exchangeText(t: Parameters<typeof spawnServer>[0], server: TestServer): Promise<void> {
  const { socket: alice } = await joinAs(t, server, 'bystanders', 'Alice');
  const { socket: bob } = await joinAs(t, server, 'bystanders', 'Bob');
  const arrived = nextEvent(bob, 'content');
  const sent = await alice.timeout(5000).emitWithAck('content', {
    sessionId: 'bystanders',
    content: { contentId: 'hello', totalChunks: 0, encryptedDescriptor: randomBytes(200), iv: randomBytes(12) },
  });
  assert.equal(sent.success, true);
  assert.equal((await arrived).content.contentId, 'hello');
}

test('a client that does not read its answers gets RATE_LIMITED fetches, not gigabytes of replies', async (t) => {
  const { server, pid } = await startProcess(t);
  const { socket: owner } = await joinAs(t, server, 'hoard', 'Owner');
  const announced = await owner.emitWithAck('content', {
    sessionId: 'hoard',
    content: { contentId: 'big', totalChunks: 1, encryptedDescriptor: randomBytes(100), iv: randomBytes(12) },
  });
  assert.equal(announced.success, true);
  const stored = await owner.emitWithAck('chunk', {
    sessionId: 'hoard',
    chunk: { contentId: 'big', chunkIndex: 0, totalChunks: 1, encryptedData: randomBytes(MB), iv: randomBytes(12) },
  });
  assert.equal(stored.success, true);

  const attacker = await connect(t, server);
  assert.equal((await join(attacker, 'hoard', 'Attacker')).success, true);
  const fetch = { sessionId: 'hoard', contentId: 'big', chunkIndex: 0 };
  // Once while reading, so the server's code paths are loaded before anything is measured.
  assert.equal((await attacker.emitWithAck('batch', [{ event: 'fetch-chunk', payload: fetch }])).success, true);
  const base = await rssBytes(pid);
  const watch = await watchServer(server.url, pid);
  tcpOf(attacker).pause();
  const answers: Array<Promise<AckResponse<object>>> = [];
  for (let i = 0; i < 2000; i++) answers.push(attacker.timeout(60_000).emitWithAck('fetch-chunk', fetch) as Promise<AckResponse<object>>);
  const batch = attacker.timeout(60_000).emitWithAck('batch', Array.from({ length: 50 }, () => ({ event: 'fetch-chunk', payload: fetch })));

  await exchangeText(t, server);
  const seen = await watch.stop();
  // Then read everything: every answer, fetched chunk or refusal, reaches the attacker in the end.
  tcpOf(attacker).resume();
  const settled = await Promise.all(answers);
  const batchAnswer = (await batch) as AckResponse<{ results: AckResponse<object>[] }>;

  const served = settled.filter((answer) => answer.success).length;
  const limited = settled.filter((answer) => !answer.success && answer.code === 'RATE_LIMITED');
  assert.ok(limited.length > 1000, `${limited.length} of 2,000 fetches were refused`);
  assert.ok(limited.every((answer) => !answer.success && (answer.retryAfterMs ?? 0) > 0), 'each with a retry time');
  assert.ok(batchAnswer.success);
  const batchServed = batchAnswer.results.filter((answer) => answer.success).length;
  assert.ok(batchServed < 50 && batchAnswer.results.some((answer) => !answer.success && answer.code === 'RATE_LIMITED'), `${batchServed} of the batch's 50 served`);
  t.diagnostic(`RSS ${Math.round(base / MB)} -> ${Math.round(seen.peakRss / MB)} MB; /healthz <= ${Math.round(seen.slowestMs)} ms (${seen.polls} polls); served ${served} + ${batchServed} in the batch`);
  assert.ok(seen.peakRss < base + 100 * MB, `RSS ${Math.round(base / MB)} MB -> ${Math.round(seen.peakRss / MB)} MB (${served} fetches served)`);
  assert.equal(seen.failures, 0);
  assert.ok(seen.slowestMs < 100, `/healthz took up to ${Math.round(seen.slowestMs)} ms over ${seen.polls} polls`);
});

test('members that do not read are not queued every item shared: they are told to resync', async (t) => {
  // The store keeps every item's descriptor and inline data in memory (32 MB here, by design):
  // a 1 MiB bound keeps what the five idle members may hold well apart from that.
  const { server, pid } = await startProcess(t, { SOCKET_BUFFER_BYTES: String(MB) });
  const { socket: sender } = await joinAs(t, server, 'crowd', 'Sender');
  const readers: ClientSocket[] = [];
  for (let i = 0; i < 5; i++) {
    const member = await connect(t, server);
    assert.equal((await join(member, 'crowd', `Idle ${i}`)).success, true);
    readers.push(member);
  }
  const resyncs = readers.map((member) => nextEvent(member, 'resync'));
  const counts = readers.map(() => 0);
  readers.forEach((member, i) => member.on('content', () => counts[i]!++));
  const base = await rssBytes(pid);
  const watch = await watchServer(server.url, pid);
  for (const member of readers) tcpOf(member).pause();

  const items = 100; // 100 x (64 KiB descriptor + 256 KiB data) x 5 members = 160 MB if all were queued
  for (let i = 0; i < items; i++) {
    const ack = await sender.timeout(10_000).emitWithAck('content', {
      sessionId: 'crowd',
      content: { contentId: `item-${i}`, totalChunks: 0, encryptedDescriptor: randomBytes(64 * 1024), iv: randomBytes(12) },
      data: randomBytes(256 * 1024),
    });
    assert.equal(ack.success, true);
  }
  await exchangeText(t, server);
  const seen = await watch.stop();
  for (const member of readers) tcpOf(member).resume();
  const told = await Promise.all(resyncs);

  assert.deepEqual(told.map((notice) => notice.reason), Array(5).fill('behind'));
  assert.ok(counts.every((count) => count < items), `items delivered: ${counts.join(', ')}`);
  assert.ok(seen.peakRss < base + 100 * MB, `RSS ${Math.round(base / MB)} MB -> ${Math.round(seen.peakRss / MB)} MB`);
  assert.equal(seen.failures, 0);
  assert.ok(seen.slowestMs < 100, `/healthz took up to ${Math.round(seen.slowestMs)} ms`);
  t.diagnostic(`RSS ${Math.round(base / MB)} -> ${Math.round(seen.peakRss / MB)} MB; /healthz <= ${Math.round(seen.slowestMs)} ms; items delivered ${counts.join(', ')}`);
});
