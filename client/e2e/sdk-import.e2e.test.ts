/**
 * The SDK served by the server at /sdk.js, imported by a page on another
 * origin (`import { ShareClient } from 'https://share.example/sdk.js'`): the
 * headers that allow it, then a real page in Chromium that joins a session
 * with it and shares a text that a Node client receives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { startServer } from '../../server/testing/harness.ts';
import { ShareClient, type ReceivedItem } from '../sdk/index.ts';
import { openDevice, useChromium } from './browser.ts';

const chromium = useChromium();

/** A blank page on its own origin (localhost: a secure context, as WebCrypto needs). */
async function otherOrigin(t: TestContext): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

test('GET /sdk.js is a revalidated module, loadable from other origins, that exports ShareClient', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/sdk.js`, { headers: { Origin: 'https://elsewhere.example' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  // A stable alias of the hashed, immutable bundle, which exports the class.
  const hashed = /^export \* from '\.\/(sdk-[A-Z0-9]{8}\.js)';$/m.exec(await res.text())?.[1];
  assert.ok(hashed, 'sdk.js re-exports the hashed bundle');
  const bundle = await fetch(`${server.url}/${hashed}`, { headers: { Origin: 'https://elsewhere.example' } });
  assert.equal(bundle.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(bundle.headers.get('access-control-allow-origin'), '*');
  assert.match(await bundle.text(), /export\s*\{[^}]*\bShareClient\b/);
});

test('a page on another origin imports /sdk.js, joins a session and shares a text', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const origin = await otherOrigin(t);
  const server = await startServer(t, { CORS_ORIGIN: origin });
  const sessionId = 'sdk-import';
  const passphrase = 'correct horse battery staple';
  const node = new ShareClient({ url: server.url, clientName: 'Node' });
  t.after(() => node.close());
  await node.join(sessionId, passphrase);
  const received = new Promise<ReceivedItem>((resolve) => node.once('content', resolve));

  const page = await openDevice(t, browser, origin);
  const result = await page.page.evaluate(
    async ({ url, sessionId, passphrase }) => {
      const { ShareClient } = await import(`${url}/sdk.js`);
      const client = new ShareClient({ url, clientName: 'Page' });
      const { clients } = await client.join(sessionId, passphrase);
      await client.shareText('Hello from another origin');
      client.close();
      return clients.length;
    },
    { url: server.url, sessionId, passphrase },
  );
  assert.equal(result, 2);
  assert.equal(await (await received).text(), 'Hello from another origin');
  assert.deepEqual(page.realErrors(), []);
});
