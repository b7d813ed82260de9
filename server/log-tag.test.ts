import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app.ts';
import { connectRedis } from './cluster/redis.ts';
import { sharedLogTagSecret } from './cluster/log-tag-secret.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { LOG_TAG_SECRET_FILE, sessionTagger } from './log-tag.ts';
import { requireDebianTool } from './ops/debian-tool.ts';
import { startTestRedis } from './testing/cluster.ts';
import { PROJECT_ROOT, joinAs, tempDir } from './testing/harness.ts';

const SESSION = 'tagged-session';
const unkeyed = (sessionId: string) => createHash('sha256').update(`log-tag:${sessionId}`).digest('hex').slice(0, 10);

/** Starts a node on `dataDir`, joins SESSION once and returns the tag its "joined session" log line carries; closes it. */
async function tagLoggedFor(t: TestContext, dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const lines: string[] = [];
  const config = loadConfig({ LOG_LEVEL: 'info', HTTPS: 'off', ...env }, { clientDir: path.join(PROJECT_ROOT, 'dist', 'client'), dataDir });
  const app = await createApp(config, { log: createLogger('info', (line) => lines.push(line)) });
  try {
    app.httpServer.listen(0, '127.0.0.1');
    await once(app.httpServer, 'listening');
    const { port } = app.httpServer.address() as AddressInfo;
    const { socket } = await joinAs(t, { app, port, url: `http://127.0.0.1:${port}`, dataDir }, SESSION, 'Alice');
    socket.disconnect();
  } finally {
    await app.close();
  }
  const joined = lines.map((line) => JSON.parse(line) as { message: string; session?: string }).find((entry) => entry.message === 'joined session');
  assert.ok(joined?.session, lines.join(''));
  assert.ok(!lines.join('').includes(SESSION), 'the session id itself is never logged');
  return joined.session;
}

test('a session tag depends on the secret and is not the unkeyed hash anyone could compute', () => {
  const a = sessionTagger('first secret, 32 characters long');
  const b = sessionTagger('second secret, also long enough');
  assert.match(a(SESSION), /^[0-9a-f]{10}$/);
  assert.equal(a(SESSION), a(SESSION));
  assert.notEqual(a(SESSION), b(SESSION));
  assert.notEqual(a('another-session'), a(SESSION));
  assert.notEqual(a(SESSION), unkeyed(SESSION));
});

test('alone, a secret is made once and kept in DATA_DIR (mode 0600): tags survive a restart', async (t) => {
  const dataDir = await tempDir(t);
  const first = await tagLoggedFor(t, dataDir);
  const file = path.join(dataDir, LOG_TAG_SECRET_FILE);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const secret = (await readFile(file, 'utf8')).trim();
  assert.equal(first, sessionTagger(secret)(SESSION));
  assert.notEqual(first, unkeyed(SESSION));
  assert.equal(await tagLoggedFor(t, dataDir), first, 'the same tag after a restart');
  assert.notEqual(await tagLoggedFor(t, await tempDir(t)), first, 'another deployment tags differently');
});

test('LOG_TAG_SECRET keys the tags when set (HMAC-SHA256), and nothing is written to DATA_DIR', async (t) => {
  const dataDir = await tempDir(t);
  const secret = 'an operator-chosen secret for the logs';
  const tag = await tagLoggedFor(t, dataDir, { LOG_TAG_SECRET: secret });
  assert.equal(tag, createHmac('sha256', secret).update(SESSION).digest('hex').slice(0, 10));
  await assert.rejects(stat(path.join(dataDir, LOG_TAG_SECRET_FILE)), { code: 'ENOENT' });
  assert.throws(() => loadConfig({ LOG_TAG_SECRET: 'short' }, { clientDir: 'dist/client', dataDir }), /LOG_TAG_SECRET must be at least 16/);
});

const redisTool = requireDebianTool('redis-server', 'redis-server', '/usr/bin/redis-server');

test('in a cluster, the first node makes the secret in Redis and every node uses it', { skip: 'skip' in redisTool && redisTool.skip }, async (t) => {
  const redis = await startTestRedis(t);
  const nodes = await Promise.all(['node1', 'node2'].map((id) => connectRedis(redis.url, id, createLogger('silent'))));
  t.after(() => Promise.all(nodes.map((node) => node.close())));
  const secrets = await Promise.all(nodes.map((node) => sharedLogTagSecret(node.command, 'test:log-tag-secret')));
  assert.match(secrets[0]!, /^[0-9a-f]{64}$/);
  assert.equal(secrets[1], secrets[0], 'both nodes tag alike');
  assert.equal(await sharedLogTagSecret(nodes[0]!.command, 'test:log-tag-secret'), secrets[0], 'kept across restarts');
  assert.notEqual(await sharedLogTagSecret(nodes[0]!.command, 'other:log-tag-secret'), secrets[0], 'another deployment (prefix) has its own');
});
