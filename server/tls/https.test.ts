/**
 * A node serving HTTPS itself (HTTPS=on): pages and Socket.IO over TLS on the
 * HTTPS port, plain HTTP at a network name sent there, "Add a device" links;
 * and `server/main.ts` as `make run` starts it: both addresses printed, the
 * certificate kept across restarts, bad files refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { DeviceLinks } from '../../protocol/device-links.ts';
import { connect, join, startServer, tempDir } from '../testing/harness.ts';
import { spawnServer } from '../testing/server-process.ts';
import { failedStart } from '../testing/start-failure.ts';
import { lanAddresses } from './local-addresses.ts';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string; fingerprint?: string }

async function get(url: string, options: { ca?: string; host?: string } = {}): Promise<Answer> {
  const secure = url.startsWith('https:');
  const req = (secure ? httpsRequest : httpRequest)(url, { ca: options.ca, headers: options.host ? { Host: options.host } : {} });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const fingerprint = secure ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode!, headers: res.headers, body, fingerprint };
}

test('pages and Socket.IO over HTTPS; plain HTTP at a network name is sent to HTTPS, localhost and probes are not', async (t) => {
  const server = await startServer(t, { HTTPS: 'on', TLS_NAMES: 'sharethings.test' });
  const ca = server.app.secure!.material.cert;
  const https = `https://127.0.0.1:${server.httpsPort}`;

  const page = await get(`${https}/`, { ca });
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>ShareThings<\/title>/);
  assert.equal(page.fingerprint, server.app.secure!.material.fingerprint);

  const links = JSON.parse((await get(`${https}/device-links`, { ca })).body) as DeviceLinks;
  assert.equal(links.fingerprint, page.fingerprint);
  assert.equal(links.selfSigned, true);
  assert.equal(links.urls[0]!.url, `https://sharethings.test:${server.httpsPort}/`);

  const redirected = await get(`${server.url}/?x=1`, { host: `sharethings.test:${server.port}` });
  assert.equal(redirected.status, 307);
  assert.equal(redirected.headers.location, `https://sharethings.test:${server.httpsPort}/?x=1`);
  assert.equal((await get(`${server.url}/`, { host: `localhost:${server.port}` })).status, 200);
  assert.equal((await get(`${server.url}/`)).status, 200); // 127.0.0.1
  assert.equal((await get(`${server.url}/healthz`, { host: `sharethings.test:${server.port}` })).status, 200);

  const socket = await connect(t, { ...server, url: https }, { ca });
  const joined = await join(socket, 'https-session', 'Phone');
  assert.equal(joined.success, true);
});

test('without HTTPS of its own (behind a proxy), no redirect and no device links', async (t) => {
  const server = await startServer(t, { BEHIND_PROXY: 'true' });
  assert.equal(server.app.secure, undefined);
  assert.equal((await get(`${server.url}/`, { host: 'share.example' })).status, 200);
  assert.deepEqual(JSON.parse((await get(`${server.url}/device-links`)).body), { urls: [], fingerprint: null, selfSigned: false });
});

/** Waits until the server process has written a line matching `pattern`. */
async function printed(server: { child: import('node:child_process').ChildProcess; stdout(): string }, pattern: RegExp): Promise<string> {
  while (!pattern.test(server.stdout())) await once(server.child.stdout!, 'data');
  return server.stdout();
}

test('make run prints the local and the network HTTPS address, and keeps its certificate across restarts', async (t) => {
  const dataDir = await tempDir(t);
  const env = { HTTPS: 'on', HTTPS_PORT: '0', HOST: '0.0.0.0', DATA_DIR: dataDir };
  const first = await spawnServer(t, env);
  const out = await printed(first, /Browsers warn/);
  assert.match(out, /^ShareThings is running at http:\/\/localhost:\d+\n {2}over HTTPS at https:\/\/localhost:\d+\//);
  // This machine's network address when it has one (the test machines do), else a plain word why not.
  assert.match(out, lanAddresses().length ? /from your other devices: https:\/\/\S+:\d+\// : /no network address found/);
  assert.match(out, /self-signed, just made/);
  const fingerprint = /([0-9A-F]{2}(:[0-9A-F]{2}){31})/.exec(out)![1];
  await first.kill9();

  const second = await spawnServer(t, env);
  const again = await printed(second, /Browsers warn/);
  assert.doesNotMatch(again, /just made/);
  assert.equal(/([0-9A-F]{2}(:[0-9A-F]{2}){31})/.exec(again)![1], fingerprint);
});

test('bad TLS_CERT or TLS_KEY stop the server with a message naming it', async (t) => {
  const dataDir = await tempDir(t);
  const missing = await failedStart(t, { HTTPS: 'on', DATA_DIR: dataDir, TLS_CERT: `${dataDir}/none.pem`, TLS_KEY: `${dataDir}/none-key.pem` });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Configuration error: TLS_CERT: cannot read ".*none\.pem" \(ENOENT\)/);
  const half = await failedStart(t, { DATA_DIR: dataDir, TLS_KEY: `${dataDir}/key.pem` });
  assert.equal(half.code, 2);
  assert.match(half.stderr, /TLS_CERT and TLS_KEY must be set together/);
});
