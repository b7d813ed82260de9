/**
 * What a cluster does on its own: it survives Redis going away and coming
 * back, holds chunks back from slow receivers on every node, and sweeps on
 * one node only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { MiB, hashStream, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import type { SweepResult } from '../retention/sweeper.ts';
import { waitUntil } from '../ops/process.ts';
import { clusterSkip, startTestCluster, startTestRedis } from '../testing/cluster.ts';
import { metric, startThrottleProxy } from '../testing/fixed-port.ts';
import { connect, joinAs, nextEvent } from '../testing/harness.ts';

const skip = clusterSkip;
const text = (contentId: string) => ({ contentId, totalChunks: 0, encryptedDescriptor: randomBytes(100), iv: randomBytes(12) });

test('With Redis down, requests answer UNAVAILABLE with a retry time, the node stays up, and service resumes by itself', { skip }, async (t) => {
  const cluster = await startTestCluster(t);
  const node = await cluster.node(t, 'node1');
  const alice = await joinAs(t, node, 'outage', 'Alice');
  assert.equal((await alice.socket.emitWithAck('content', { sessionId: 'outage', content: text('before') })).success, true);

  await cluster.redis.stop('SIGKILL');
  const refused = await alice.socket.emitWithAck('content', { sessionId: 'outage', content: text('during') });
  assert.deepEqual(refused.success ? refused : [refused.code, refused.retryAfterMs! > 0], ['UNAVAILABLE', true]);
  const listed = await alice.socket.emitWithAck('list-content', { sessionId: 'outage' });
  assert.equal(!listed.success && listed.code, 'UNAVAILABLE');
  const health = (await (await fetch(`${node.url}/healthz`)).json()) as { redis: string };
  assert.equal(health.redis, 'down');
  assert.equal((await fetch(`${node.url}/readyz`)).status, 200, 'a Redis outage does not take the node out of the proxy');
  // Connections are still taken (the connection limit counts in memory meanwhile).
  const bob = await connect(t, node);

  // Redis comes back on its data directory (AOF): what was acknowledged is there, and nobody had to reconnect.
  await startTestRedis(t, cluster.redis.dir, cluster.redis.port);
  await waitUntil(async () => (await alice.socket.emitWithAck('list-content', { sessionId: 'outage' })).success, 10_000, () => 'Redis to answer again');
  const after = await alice.socket.emitWithAck('list-content', { sessionId: 'outage' });
  assert.deepEqual(after.success && after.items.map((item) => item.contentId), ['before']);
  assert.equal((await alice.socket.emitWithAck('content', { sessionId: 'outage', content: text('after') })).success, true);
  assert.equal(alice.socket.connected && bob.connected, true);
  const stillThere = (await (await fetch(`${node.url}/healthz`)).json()) as { redis: string };
  assert.equal(stillThere.redis, 'up');
});

test('A slow receiver on another node than the sender is held back there and fetches; the fast one is not slowed', { skip }, async (t) => {
  const cluster = await startTestCluster(t, { SOCKET_BUFFER_BYTES: String(MiB) });
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  const throttle = await startThrottleProxy(t, two.port, 2 * MiB);
  const alice = newClient(t, one.url, 'Alice');
  const fast = newClient(t, two.url, 'Fast');
  const slow = newClient(t, throttle.url, 'Slow', { receiveBufferBytes: 4 * MiB });
  for (const client of [alice, fast, slow]) await client.join('uneven', 'test passphrase');

  const data = randomData(30 * MiB);
  const fastDone = next(fast, 'content').then(hashStream);
  const slowDone = next(slow, 'content').then(hashStream);
  await alice.shareFile(data, { name: 'big.bin', type: 'application/octet-stream' });
  assert.equal((await fastDone).digest, sha256(data));
  // The fast receiver finished while the slow link had carried only a part: it was not held to that pace.
  assert.ok(throttle.forwarded < data.length / 2, `the slow link carried ${throttle.forwarded} bytes meanwhile`);
  throttle.setRate(Infinity);
  assert.equal((await slowDone).digest, sha256(data));
  const deferred = await metric(two.url, 'sharethings_chunks_deferred_total');
  assert.ok(deferred > 0, 'node2 held chunks back from its slow member');
  assert.equal(await metric(one.url, 'sharethings_chunks_deferred_total'), 0, 'the sender\'s node had no slow member');
  assert.ok((await metric(two.url, 'sharethings_requests_total', { event: 'fetch-chunk' })) >= deferred);
});

test('Only one node sweeps; an upload abandoned on one node is cancelled for members on another', { skip }, async (t) => {
  const cluster = await startTestCluster(t, { SWEEP_INTERVAL: '100ms', UPLOAD_ABANDON_AFTER: '500ms' });
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  const leaders = new Map<string, number>();
  for (const [name, node] of [['node1', one], ['node2', two]] as const) {
    node.app.sweeper.on('swept', (result: SweepResult) => result.leader && leaders.set(name, (leaders.get(name) ?? 0) + 1));
  }
  const sender = await joinAs(t, one, 'abandoned', 'Sender');
  const watcher = await joinAs(t, two, 'abandoned', 'Watcher');
  const header = { contentId: 'left', totalChunks: 3, encryptedDescriptor: randomBytes(64), iv: randomBytes(12), resumeToken: randomBytes(32) };
  assert.equal((await sender.socket.emitWithAck('content', { sessionId: 'abandoned', content: header })).success, true);
  const cancelled = nextEvent(watcher.socket, 'content-cancelled');
  sender.socket.disconnect();
  assert.deepEqual(await cancelled, { sessionId: 'abandoned', contentId: 'left', code: 'CANCELLED' });
  for (const node of [one, two]) await once(node.app.sweeper, 'swept');
  assert.equal(leaders.size, 1, `sweeping nodes: ${[...leaders.keys()]}`);
  const list = await watcher.socket.emitWithAck('list-content', { sessionId: 'abandoned' });
  assert.deepEqual(list.success && list.items, []);
});
