import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort } from '../ops/process.ts';
import { startSentinel } from '../ops/redis-server.ts';
import { clusterSkip, redisBinary, startTestCluster } from '../testing/cluster.ts';
import { joinAs, nextEvent, tempDir } from '../testing/harness.ts';

test('nodes find Redis through Sentinel (REDIS_SENTINELS) and share through it', { skip: clusterSkip }, async (t) => {
  const cluster = await startTestCluster(t);
  const sentinel = await startSentinel(redisBinary(), await freePort(), cluster.redis.port, 'sharethings', await tempDir(t));
  t.after(() => sentinel.stop('SIGKILL'));
  const viaSentinel = { REDIS_URL: '', REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'sharethings' };
  const one = await cluster.node(t, 'node1', viaSentinel);
  const two = await cluster.node(t, 'node2', viaSentinel);
  const alice = await joinAs(t, one, 'sentinel', 'Alice');
  const bob = await joinAs(t, two, 'sentinel', 'Bob');
  assert.deepEqual(bob.ack.clients.map((c) => c.name), ['Alice', 'Bob']);
  const arrived = nextEvent(bob.socket, 'content');
  const ack = await alice.socket.emitWithAck('content', {
    sessionId: 'sentinel',
    content: { contentId: 'c', totalChunks: 0, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
  });
  assert.equal(ack.success, true);
  assert.equal((await arrived).content.contentId, 'c');
  const health = (await (await fetch(`${one.url}/healthz`)).json()) as { redis: string };
  assert.equal(health.redis, 'up');
});
