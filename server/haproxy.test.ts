import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { haproxyConfig } from './ops/haproxy.ts';
import { clusterSkip, startTestHaproxy } from './testing/cluster.ts';
import { PROJECT_ROOT, connect, join, nextEvent, startServer } from './testing/harness.ts';

const haproxyMissing = () => (spawnSync('haproxy', ['-v']).error ? 'haproxy is not installed' : false);

test('the shipped haproxy.cfg is rewritten line by line for other ports and nodes', async () => {
  const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
  const config = haproxyConfig(shipped, {
    ports: { http: 1001, https: 1002, stats: 1003, runtime: 1004 },
    certificate: '/tmp/x.pem',
    nodes: [{ name: 'alpha', port: 2001 }, { name: 'beta', port: 2002 }],
  });
  assert.match(config, /^\s+bind 127\.0\.0\.1:1001$/m);
  assert.match(config, /^\s+bind 127\.0\.0\.1:1002 ssl crt \/tmp\/x\.pem alpn h2,http\/1\.1$/m);
  assert.match(config, /^\s+stats socket ipv4@127\.0\.0\.1:1004 level admin$/m);
  assert.match(config, /^\s+use-server alpha if \{ url_param\(sid\) -m beg alpha\. \}$/m);
  assert.match(config, /^\s+use-server beta if \{ url_param\(sid\) -m beg beta\. \}$/m);
  assert.match(config, /^\s+server beta 127\.0\.0\.1:2002$/m);
  assert.match(config, /^\s+server alpha 127\.0\.0\.1:2001$/m);
  const settings = config.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  assert.doesNotMatch(settings, /node[123]|:300[123]|:8080|:8443|:8404|:9999/);
});

test('the shipped haproxy.cfg limits each client address and passes haproxy -c', { skip: haproxyMissing() }, async () => {
  const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
  assert.match(shipped, /^\s+stick-table type ipv6 .*store conn_cur,conn_rate\(10s\),http_req_rate\(10s\)$/m);
  assert.match(shipped, /^\s+tcp-request connection track-sc0 src/m);
  assert.match(shipped, /^\s+tcp-request connection reject if \{ sc0_conn_cur gt \d+ \}$/m);
  assert.match(shipped, /^\s+tcp-request connection reject if \{ sc0_conn_rate gt \d+ \}$/m);
  assert.match(shipped, /^\s+http-request deny deny_status 429 if \{ sc0_http_req_rate gt \d+ \}$/m);
  // -c parses every rule and reports warnings (e.g. rules in an order that does not apply as written).
  const check = spawnSync('haproxy', ['-c', '-f', 'haproxy.cfg'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.doesNotMatch(check.stdout + check.stderr, /WARNING|ALERT/);
});

test('the shipped haproxy.cfg relays Socket.IO over websocket and polling to a single node', { skip: clusterSkip }, async (t) => {
  const server = await startServer(t);
  const proxy = await startTestHaproxy(t, { local: server });
  const front = { ...server, url: proxy.url, port: proxy.ports.http };

  const ws = await connect(t, front, { transports: ['websocket'] });
  const polling = await connect(t, front, { transports: ['polling'] });
  await join(ws, 'proxied', 'WS');
  const joined = await join(polling, 'proxied', 'Polling');
  assert.deepEqual(joined.success && joined.clients.map((c) => c.name), ['WS', 'Polling']);

  const data = randomBytes(60_000);
  const arrived = nextEvent(polling, 'content');
  await ws.emitWithAck('content', {
    sessionId: 'proxied',
    content: { contentId: 'p1', totalChunks: 0, encryptedDescriptor: data, iv: randomBytes(12) },
  });
  assert.deepEqual(Buffer.from((await arrived).content.encryptedDescriptor), data);
  const health = (await (await fetch(`${proxy.url}/readyz`)).json()) as { status: string; node: string };
  assert.deepEqual([health.status, health.node], ['ready', 'local']);
});
