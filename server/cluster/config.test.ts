import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../config.ts';

const defaults = { clientDir: 'dist/client', dataDir: 'data' };
const CLUSTER = { REDIS_URL: 'redis://127.0.0.1:6379', S3_BUCKET: 'sharethings', NODE_ID: 'node1' };

test('without REDIS_URL a node runs alone, named "local"', () => {
  const config = loadConfig({}, defaults);
  assert.equal(config.cluster, undefined);
  assert.equal(config.nodeId, 'local');
});

test('cluster settings are read from the environment', () => {
  const config = loadConfig(
    {
      ...CLUSTER,
      REDIS_PREFIX: 'st:',
      S3_ENDPOINT: 'http://127.0.0.1:8090',
      S3_REGION: 'eu-west-1',
      S3_PREFIX: 'prod/',
      AWS_ACCESS_KEY_ID: 'key',
      AWS_SECRET_ACCESS_KEY: 'secret',
      NODE_TIMEOUT: '10s',
      DRAIN_TIMEOUT: '2s',
      S3_REQUEST_TIMEOUT: '3s',
    },
    defaults,
  );
  assert.equal(config.nodeId, 'node1');
  assert.equal(config.drainTimeoutMs, 2000);
  assert.deepEqual(config.cluster, {
    redis: { url: 'redis://127.0.0.1:6379', sentinels: undefined, sentinelName: 'mymaster' },
    redisPrefix: 'st:',
    nodeTimeoutMs: 10_000,
    s3: {
      endpoint: 'http://127.0.0.1:8090',
      bucket: 'sharethings',
      region: 'eu-west-1',
      forcePathStyle: true,
      keyPrefix: 'prod/',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      requestTimeoutMs: 3000,
    },
  });
  // AWS itself: its own endpoint, virtual-hosted addressing, credentials from the SDK's usual sources.
  const aws = loadConfig(CLUSTER, defaults).cluster!.s3;
  assert.deepEqual([aws.endpoint, aws.forcePathStyle, aws.region, aws.credentials], [undefined, false, 'us-east-1', undefined]);
});

test('Redis Sentinel: the sentinels and the primary\'s name, with the URL only for credentials', () => {
  const { REDIS_URL: _url, ...rest } = CLUSTER;
  const config = loadConfig({ ...rest, REDIS_SENTINELS: 'sentinel-a:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'sharethings' }, defaults);
  assert.deepEqual(config.cluster?.redis, {
    url: undefined,
    sentinels: [{ host: 'sentinel-a', port: 26379 }, { host: '::1', port: 26380 }],
    sentinelName: 'sharethings',
  });
});

test('half-set or bad cluster settings fail with a message naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ REDIS_URL: 'redis://x', NODE_ID: 'n' }, /^S3_BUCKET must be set when REDIS_URL is set/],
    [{ S3_BUCKET: 'sharethings' }, /^S3_BUCKET is set but REDIS_URL is not/],
    [{ S3_ENDPOINT: 'http://s3' }, /^S3_ENDPOINT is set but REDIS_URL is not/],
    [{ REDIS_URL: 'redis://x', S3_BUCKET: 'sharethings' }, /^NODE_ID must be set in cluster mode/],
    [{ ...CLUSTER, REDIS_SENTINELS: '10.0.0.1' }, /^REDIS_SENTINELS must be a comma-separated list of host:port/],
    [{ ...CLUSTER, REDIS_SENTINEL_NAME: 'my master' }, /^REDIS_SENTINEL_NAME must be/],
    [{ ...CLUSTER, NODE_ID: 'node.1' }, /^NODE_ID must be 1-32 characters/],
    [{ ...CLUSTER, REDIS_URL: 'localhost:6379' }, /^REDIS_URL must start with redis:\/\/ or rediss:\/\//],
    [{ ...CLUSTER, REDIS_URL: 'not a url' }, /^REDIS_URL must be a URL/],
    [{ ...CLUSTER, S3_BUCKET: 'Bad_Bucket' }, /^S3_BUCKET must be a bucket name/],
    [{ ...CLUSTER, S3_ENDPOINT: 'ftp://s3' }, /^S3_ENDPOINT must be an http:\/\/ or https:\/\/ URL/],
    [{ ...CLUSTER, AWS_ACCESS_KEY_ID: 'key' }, /^AWS_SECRET_ACCESS_KEY must be set together with AWS_ACCESS_KEY_ID/],
    [{ ...CLUSTER, AWS_SECRET_ACCESS_KEY: 'secret' }, /^AWS_ACCESS_KEY_ID must be set together with AWS_SECRET_ACCESS_KEY/],
    [{ ...CLUSTER, NODE_TIMEOUT: '100ms' }, /^NODE_TIMEOUT must be a duration/],
    [{ ...CLUSTER, S3_FORCE_PATH_STYLE: 'maybe' }, /^S3_FORCE_PATH_STYLE must be true or false/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env, defaults), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${JSON.stringify(env)} threw ${String(error)}`);
      assert.match(error.message, message);
      return true;
    });
  }
});
