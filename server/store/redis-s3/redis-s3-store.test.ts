import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../../../protocol/errors.ts';
import { RedisKeys } from '../../cluster/keys.ts';
import { connectRedis } from '../../cluster/redis.ts';
import { createLogger } from '../../log.ts';
import { swiftS3Config } from '../../ops/swift-server.ts';
import { clusterSkip, startTestRedis, testBucket } from '../../testing/cluster.ts';
import { contentStoreContract } from '../content-store.contract.ts';
import { ObjectStore } from './object-store.ts';
import { RedisS3Store } from './redis-s3-store.ts';

const quiet = createLogger('silent');

async function openStore(t: TestContext, options: { purgeGraceMs?: number } = {}) {
  const redis = await startTestRedis(t);
  const { endpoint, bucket } = await testBucket();
  const connections = await connectRedis(redis.url, 'test', quiet);
  const objects = new ObjectStore(swiftS3Config(endpoint, bucket, 'p/'));
  const store = new RedisS3Store(connections.command, new RedisKeys('test:'), objects, 'p/', quiet, options);
  await store.open();
  t.after(async () => {
    await store.close();
    await connections.close();
  });
  return { store, redis, objects, connections };
}

contentStoreContract('redis + s3 store', async (t) => (await openStore(t)).store, { skip: clusterSkip });

test('object keys are random ids, never session or item ids, and deleted objects are purged', { skip: clusterSkip }, async (t) => {
  const { store, objects } = await openStore(t, { purgeGraceMs: 0 });
  await store.createSession('visible-session', randomBytes(32), 1_000);
  await store.addItem('visible-session', { contentId: 'visible-item', senderId: 's', senderName: 'A', timestamp: 1, totalChunks: 2, encryptedDescriptor: randomBytes(10), iv: randomBytes(12), pinned: false });
  for (const index of [0, 1]) await store.putChunk('visible-session', 'visible-item', index, { iv: randomBytes(12), encryptedData: randomBytes(1000) });
  const keys = await objects.listKeys('p/');
  assert.equal(keys.length, 2);
  for (const key of keys) {
    assert.match(key, /^p\/[0-9a-f]{24}\/[0-9a-f]{24}\/[01]\.[0-9a-f]{1,8}$/);
    assert.doesNotMatch(key, /visible/);
  }
  await store.removeItem('visible-session', 'visible-item');
  assert.equal((await objects.listKeys('p/')).length, 2, 'kept until the sweeper purges');
  await store.purgeDeleted();
  assert.deepEqual(await objects.listKeys('p/'), []);
});

test('with Redis gone, requests fail UNAVAILABLE with a retry hint, and work again once it is back', { skip: clusterSkip }, async (t) => {
  const { store, redis } = await openStore(t);
  await store.createSession('s', randomBytes(32), 1_000);
  await redis.stop('SIGKILL');
  const refused = await store.getSession('s').then(() => undefined, (error: unknown) => error);
  assert.ok(refused instanceof ProtocolError, String(refused));
  assert.equal(refused.code, 'UNAVAILABLE');
  assert.ok(refused.retryAfterMs! > 0);
  const again = await startTestRedis(t, undefined, redis.port);
  assert.equal(again.port, redis.port);
  for (;;) {
    const session = await store.getSession('s').catch(() => 'down' as const);
    if (session !== 'down') {
      // This Redis had no AOF to replay (another directory): the session is simply unknown.
      assert.equal(session, undefined);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
