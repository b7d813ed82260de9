import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { tempDir } from './testing/harness.ts';
import { spawnServer } from './testing/server-process.ts';

const WARNING = /serve ShareThings over HTTPS\/WSS/;

test('in production without BEHIND_PROXY the server warns that HTTPS/WSS is required', async (t) => {
  const server = await spawnServer(t, { DATA_DIR: await tempDir(t), NODE_ENV: 'production' });
  assert.match(server.stderr(), WARNING);
});

test('behind a proxy, or outside production, there is no warning', async (t) => {
  const settings: Array<Record<string, string>> = [{ NODE_ENV: 'production', BEHIND_PROXY: 'true' }, { NODE_ENV: 'development' }];
  for (const env of settings) {
    const server = await spawnServer(t, { DATA_DIR: await tempDir(t), ...env });
    assert.doesNotMatch(server.stderr(), WARNING);
  }
});

test('a bad setting stops the server at start-up with a message naming it', async (t) => {
  await assert.rejects(spawnServer(t, { DATA_DIR: await tempDir(t), PORT: 'eighty' }), /exited with 2/);
});

test('SIGTERM closes the server gracefully', async (t) => {
  const server = await spawnServer(t, { DATA_DIR: await tempDir(t) });
  server.child.kill('SIGTERM');
  const [code] = await once(server.child, 'exit');
  assert.equal(code, 0);
});
