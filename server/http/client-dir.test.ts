import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../testing/harness.ts';
import { spawnServer } from '../testing/server-process.ts';
import { failedStart } from '../testing/start-failure.ts';

test('a CLIENT_DIR that does not exist stops the server at start-up, naming it and make build', async (t) => {
  const dataDir = await tempDir(t);
  const { code, stderr } = await failedStart(t, { DATA_DIR: dataDir, CLIENT_DIR: path.join(dataDir, 'nonexistent') });
  assert.equal(code, 2);
  assert.match(stderr, /CLIENT_DIR \S+nonexistent does not exist/);
  assert.match(stderr, /make build/);
});

test('a CLIENT_DIR without index.html stops the server at start-up', async (t) => {
  const clientDir = await tempDir(t);
  await writeFile(path.join(clientDir, 'app.js'), 'export {};\n');
  const { code, stderr } = await failedStart(t, { DATA_DIR: await tempDir(t), CLIENT_DIR: clientDir });
  assert.equal(code, 2);
  assert.match(stderr, /CLIENT_DIR \S+ has no index\.html/);
});

test('a CLIENT_DIR holding a built client starts and serves it', async (t) => {
  const clientDir = await tempDir(t);
  await writeFile(path.join(clientDir, 'index.html'), '<!doctype html><title>mine</title>\n');
  const server = await spawnServer(t, { DATA_DIR: await tempDir(t), CLIENT_DIR: clientDir });
  assert.match(await (await fetch(`${server.url}/`)).text(), /<title>mine<\/title>/);
});
