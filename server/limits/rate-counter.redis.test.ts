import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis } from '../cluster/redis.ts';
import { createLogger } from '../log.ts';
import { requireDebianTool } from '../ops/debian-tool.ts';
import { startTestRedis } from '../testing/cluster.ts';
import { rateCounterContract } from './rate-counter.contract.ts';
import { redisRateCounters } from './rate-counter.redis.ts';

const redisTool = requireDebianTool('redis-server', 'redis-server', '/usr/bin/redis-server');
const skip = 'skip' in redisTool && redisTool.skip;
const quiet = createLogger('silent');

async function counters(t: TestContext, url: string, name: string) {
  const connections = await connectRedis(url, name, quiet);
  t.after(() => connections.close());
  return redisRateCounters(connections.command, (limit) => `test:limit:${limit}`);
}

rateCounterContract('redis counters', async (t) => counters(t, (await startTestRedis(t)).url, 'node1'), { skip });

test('two nodes count against one limit, and while Redis is down each node still limits on its own', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const one = (await counters(t, redis.url, 'node1'))('failures', 4, 60_000);
  const two = (await counters(t, redis.url, 'node2'))('failures', 4, 60_000);
  for (let i = 0; i < 2; i++) {
    await one.hit('addr');
    await two.hit('addr');
  }
  assert.equal((await one.hit('addr')).allowed, false, 'the fifth failure, wherever it happens, is over the limit');
  assert.equal((await two.check('addr')).allowed, false);
  await redis.stop('SIGKILL');
  const offline = (await Promise.all([1, 2, 3, 4, 5].map(() => one.hit('fresh')))).map((d) => d.allowed);
  assert.deepEqual(offline, [true, true, true, true, false]);
});
