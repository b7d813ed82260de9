import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis } from '../cluster/redis.ts';
import { createLogger } from '../log.ts';
import { requireDebianTool } from '../ops/debian-tool.ts';
import { startTestRedis } from '../testing/cluster.ts';
import { RedisLease } from './lease.redis.ts';

const redisTool = requireDebianTool('redis-server', 'redis-server', '/usr/bin/redis-server');
const skip = 'skip' in redisTool && redisTool.skip;

test('one node holds the sweeper lease; another takes it once it is released or lapses', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const connections = await connectRedis(redis.url, 'test', createLogger('silent'));
  t.after(() => connections.close());
  const a = new RedisLease(connections.command, 'test:lease', 'node1', 300);
  const b = new RedisLease(connections.command, 'test:lease', 'node2', 300);
  assert.equal(await a.hold(), true);
  assert.equal(await b.hold(), false);
  assert.equal(await a.hold(), true, 'renewed by its holder');
  await a.release();
  assert.equal(await b.hold(), true);
  assert.equal(await a.hold(), false);
  // node2 stops renewing (killed): the lease lapses and node1 takes it.
  let taken = false;
  const started = Date.now();
  while (!taken && Date.now() - started < 2_000) {
    taken = await a.hold();
    if (!taken) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(taken, true);
  await redis.stop('SIGKILL');
  assert.equal(await a.hold(), false, 'nobody sweeps while Redis is unreachable');
});
