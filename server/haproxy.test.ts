import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { requireDebianTool } from './ops/debian-tool.ts';
import { PROJECT_ROOT, connect, join, nextEvent, startServer } from './testing/harness.ts';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

const haproxy = requireDebianTool('haproxy', 'haproxy', '/usr/sbin/haproxy');

test('the shipped haproxy.cfg relays Socket.IO over websocket and polling', { skip: 'skip' in haproxy && haproxy.skip }, async (t) => {
  if (!('path' in haproxy)) return;
  const server = await startServer(t);
  const frontPort = await freePort();
  const shipped = await readFile(path.join(PROJECT_ROOT, 'haproxy.cfg'), 'utf8');
  const config = shipped
    .replace(/bind :8080/, `bind 127.0.0.1:${frontPort}`)
    .replace(/server node1 127\.0\.0\.1:3000/, `server node1 127.0.0.1:${server.port}`);
  assert.notEqual(config, shipped);
  const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-haproxy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configPath = path.join(dir, 'haproxy.cfg');
  await writeFile(configPath, config);

  const proxy = spawn(haproxy.path, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proxy.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  t.after(() => {
    proxy.kill('SIGKILL');
  });
  // Ready when the health check has marked the node up and /healthz answers through the proxy.
  const front = { ...server, url: `http://127.0.0.1:${frontPort}`, port: frontPort };
  for (;;) {
    const res = await fetch(`${front.url}/healthz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (proxy.exitCode !== null) assert.fail(`haproxy exited: ${stderr}`);
    await new Promise((resolve) => setImmediate(resolve));
  }

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
});
