import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './testing/harness.ts';
import { spawnServer } from './testing/server-process.ts';
import { failedStart } from './testing/start-failure.ts';

test('a second process on a DATA_DIR in use refuses to start and points to cluster mode; a killed holder\'s lock is taken over', async (t) => {
  const dataDir = await tempDir(t);
  const first = await spawnServer(t, { DATA_DIR: dataDir });
  const second = await failedStart(t, { DATA_DIR: dataDir });
  assert.equal(second.code, 2);
  assert.match(second.stderr, new RegExp(`DATA_DIR ${dataDir} is in use by another ShareThings process \\(pid ${first.child.pid} `));
  assert.match(second.stderr, /cluster mode \(REDIS_URL and S3_BUCKET/);
  await first.kill9();
  const third = await spawnServer(t, { DATA_DIR: dataDir });
  assert.equal((await fetch(`${third.url}/healthz`)).status, 200);
});
