import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { RedisKeys } from '../cluster/keys.ts';
import { connectRedis } from '../cluster/redis.ts';
import { createLogger } from '../log.ts';
import { startTestRedis } from '../testing/cluster.ts';
import { requireDebianTool } from '../ops/debian-tool.ts';
import type { RedisServer } from '../ops/redis-server.ts';
import { waitUntil } from '../ops/process.ts';
import { presenceContract } from './presence.contract.ts';
import { RedisPresence } from './presence.redis.ts';

const redisTool = requireDebianTool('redis-server', 'redis-server', '/usr/bin/redis-server');
const skip = 'skip' in redisTool && redisTool.skip;
const quiet = createLogger('silent');
const TIMEOUT_MS = 1000;

async function node(t: TestContext, redis: RedisServer, nodeId: string): Promise<RedisPresence> {
  const connections = await connectRedis(redis.url, nodeId, quiet);
  const presence = new RedisPresence(connections.command, new RedisKeys('test:'), nodeId, TIMEOUT_MS, quiet);
  await presence.start();
  t.after(async () => {
    await presence.close().catch(() => undefined);
    await connections.close();
  });
  return presence;
}

presenceContract('redis presence', async (t) => node(t, await startTestRedis(t), 'node1'), { skip });

test('members on two nodes see each other, and the capacity holds across nodes', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const one = await node(t, redis, 'node1');
  const two = await node(t, redis, 'node2');
  await one.join('s', { id: 'a', name: 'A' }, 2);
  assert.equal(one.spansNodes('s'), false);
  const joined = await two.join('s', { id: 'b', name: 'B' }, 2);
  assert.deepEqual(joined.members.map((m) => m.name), ['A', 'B']);
  assert.equal(two.spansNodes('s'), true);
  await assert.rejects(one.join('s', { id: 'c', name: 'C' }, 2), /at most 2 members/);
  assert.equal(await two.leave('s', 'a'), true, 'any node may remove any member');
});

test('the members of a node that stops beating leave within the timeout, announced once', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const survivor = await node(t, redis, 'node1');
  const witness = await node(t, redis, 'node3');
  const victimConnections = await connectRedis(redis.url, 'node2', quiet);
  t.after(() => victimConnections.close());
  const victim = new RedisPresence(victimConnections.command, new RedisKeys('test:'), 'node2', TIMEOUT_MS, quiet);
  await victim.start();
  await survivor.join('s', { id: 'a', name: 'A' }, 10);
  await victim.join('s', { id: 'b', name: 'B' }, 10);
  await victim.join('s', { id: 'c', name: 'C' }, 10);
  const told: Array<[string, string[]]> = [];
  const expired = new Promise<void>((resolve) => {
    for (const presence of [survivor, witness]) {
      presence.onMembersExpired((sessionId, ids) => {
        told.push([sessionId, [...ids].sort()]);
        resolve();
      });
    }
  });
  const stopped = Date.now();
  // Like a node that hangs: its connection stays, its heartbeat stops.
  (victim as unknown as { timer: NodeJS.Timeout }).timer.close();
  await expired;
  assert.ok(Date.now() - stopped < TIMEOUT_MS * 4, `announced after ${Date.now() - stopped} ms`);
  assert.deepEqual(told, [['s', ['b', 'c']]]);
  assert.deepEqual(await survivor.members('s'), [{ id: 'a', name: 'A' }]);
  // The hung node finds out at its next beat, and hands its connections back.
  const evicted = new Promise<void>((resolve) => victim.onEvicted(resolve));
  (victim as unknown as { timer: NodeJS.Timeout }).timer = setInterval(() => void (victim as unknown as { tick(): Promise<void> }).tick(), 100);
  await evicted;
  assert.deepEqual(victim.localSessions(), []);
  await victim.close();
});

test('a restarted node removes what its earlier run left, and a second node with the same NODE_ID is refused', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const observer = await node(t, redis, 'node1');
  const crashed = await connectRedis(redis.url, 'node2', quiet);
  const first = new RedisPresence(crashed.command, new RedisKeys('test:'), 'node2', TIMEOUT_MS, quiet);
  await first.start();
  await first.join('s', { id: 'x', name: 'X' }, 10);
  const duplicate = connectRedis(redis.url, 'node2b', quiet).then(async (connections) => {
    t.after(() => connections.close());
    return new RedisPresence(connections.command, new RedisKeys('test:'), 'node2', TIMEOUT_MS, quiet).start();
  });
  await assert.rejects(duplicate, /NODE_ID "node2" is in use by another running node/);
  // kill -9: no goodbye, the heartbeat just stops.
  (first as unknown as { timer: NodeJS.Timeout }).timer.close();
  crashed.command.disconnect();
  await once(crashed.command, 'end');
  const restarted = await node(t, redis, 'node2');
  assert.deepEqual(await observer.members('s'), []);
  const left = new Promise<[string, string[]]>((resolve) => restarted.onMembersExpired((sessionId, ids) => resolve([sessionId, ids])));
  assert.deepEqual(await left, ['s', ['x']], 'its leftovers are announced as left');
  await crashed.close();
});

test('after a Redis outage longer than the node timeout, no node takes the others for dead', { skip }, async (t) => {
  const redis = await startTestRedis(t);
  const one = await node(t, redis, 'node1');
  const two = await node(t, redis, 'node2');
  await one.join('s', { id: 'a', name: 'A' }, 10);
  await two.join('s', { id: 'b', name: 'B' }, 10);
  const events: string[] = [];
  for (const [name, presence] of [['node1', one], ['node2', two]] as const) {
    presence.onMembersExpired((sessionId, ids) => events.push(`${name}: ${sessionId} lost ${ids}`));
    presence.onEvicted(() => events.push(`${name}: evicted`));
  }
  await redis.stop('SIGKILL');
  const steadySince = (presence: RedisPresence) => (presence as unknown as { steadySince: number | undefined }).steadySince;
  await waitUntil(async () => steadySince(one) === undefined && steadySince(two) === undefined, 5_000, () => 'both nodes to notice the outage');
  // Down for twice the timeout: every heartbeat in Redis is stale when it comes back.
  await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 2));
  await startTestRedis(t, redis.dir, redis.port);
  // Both beat steadily for a whole timeout, and then some: the moment a node would judge the others.
  await waitUntil(
    async () => [one, two].every((presence) => steadySince(presence) !== undefined && Date.now() - steadySince(presence)! > TIMEOUT_MS * 1.5),
    10_000,
    () => 'both nodes to beat steadily again',
  );
  assert.deepEqual(events, []);
  assert.deepEqual((await one.members('s')).map((m) => m.id), ['a', 'b']);
});
