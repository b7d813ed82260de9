/** A node that cannot work as configured stops at once with a message naming what to fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SWIFT_CREDENTIALS } from '../ops/swift-server.ts';
import { freePort } from '../ops/process.ts';
import { clusterSkip, fileSwift, startTestRedis } from '../testing/cluster.ts';
import { tempDir } from '../testing/harness.ts';
import { failedStart } from '../testing/start-failure.ts';

test('an unreachable Redis at start-up stops the node with a message naming REDIS_URL', async (t) => {
  const port = await freePort();
  const { code, stderr } = await failedStart(t, {
    DATA_DIR: await tempDir(t),
    NODE_ID: 'node1',
    REDIS_URL: `redis://user:s3cret@127.0.0.1:${port}`,
    S3_BUCKET: 'sharethings',
  });
  assert.equal(code, 2);
  assert.match(stderr, new RegExp(`Configuration error: REDIS_URL: cannot reach Redis at redis://user:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(stderr, /s3cret/, 'the password is never printed');
});

test('a missing bucket stops the node with a message naming S3_BUCKET', { skip: clusterSkip }, async (t) => {
  const redis = await startTestRedis(t);
  const swift = await fileSwift();
  const { code, stderr } = await failedStart(t, {
    DATA_DIR: await tempDir(t),
    NODE_ID: 'node1',
    REDIS_URL: redis.url,
    S3_ENDPOINT: swift.endpoint,
    S3_BUCKET: 'no-such-bucket',
    AWS_ACCESS_KEY_ID: SWIFT_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SWIFT_CREDENTIALS.secretAccessKey,
  });
  assert.equal(code, 2);
  assert.match(stderr, /Configuration error: S3_BUCKET: the bucket "no-such-bucket" does not exist/);
});

test('half-set object store settings stop the node with a message naming the variable', async (t) => {
  const { code, stderr } = await failedStart(t, { DATA_DIR: await tempDir(t), S3_BUCKET: 'sharethings' });
  assert.equal(code, 2);
  assert.match(stderr, /Configuration error: S3_BUCKET is set but REDIS_URL is not/);
});
