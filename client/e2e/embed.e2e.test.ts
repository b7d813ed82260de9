/**
 * The elements embedded in a page on another origin: the demo page served by
 * a second HTTP server, the elements and the key-derivation worker loaded
 * cross-origin from the ShareThings server, whose CORS_ORIGIN allows the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { CLIENT_OUT_DIR } from '../build.ts';
import {
  WORKER_PROBE,
  createSession,
  joinSession,
  openDevice,
  shareText,
  textItems,
  useChromium,
  workersOf,
} from './browser.ts';

const chromium = useChromium();

/** A plain static server for the demo page: another origin than the ShareThings server. */
async function serveDemo(t: TestContext): Promise<number> {
  const dir = path.join(CLIENT_OUT_DIR, 'embed-demo');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html').slice(1);
    if (!/^[a-z-]+\.(html|js)$/.test(name)) return void res.writeHead(404).end();
    const body = await readFile(path.join(dir, name)).catch(() => undefined);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[path.extname(name)]! }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

test('the embed demo on another origin joins a session and receives a text', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const demoPort = await serveDemo(t);
  const demoOrigin = `http://localhost:${demoPort}`;
  const server = await startServer(t, { CORS_ORIGIN: demoOrigin });

  const laptop = await openDevice(t, browser, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');

  const embedded = await openDevice(t, browser, `${demoOrigin}/?server=${encodeURIComponent(server.url)}`, {
    init: WORKER_PROBE,
  });
  // The page's own slotted intro replaces the app's.
  await embedded.page.getByRole('heading', { name: 'Send something to this page' }).waitFor();
  await joinSession(embedded.page, credentials, 'Web page');
  await embedded.page.locator('#log').getByText(`joined session ${credentials.sessionId}`).waitFor();
  // The worker script came from the other origin (CORS) and ran from a blob: URL.
  const workers = await workersOf(embedded.page);
  assert.equal(workers.length, 1);
  assert.match(workers[0]!.url, /^blob:/);
  assert.equal(workers[0]!.ok, true);

  await shareText(laptop.page, 'Hello, embedded page');
  await textItems(embedded.page).getByText('Hello, embedded page').waitFor();
  await laptop.page.locator('share-member-list li', { hasText: 'Web page' }).waitFor();
  assert.deepEqual(embedded.realErrors(), []);
});

test('a page on an origin CORS_ORIGIN does not list cannot load the elements', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const demoPort = await serveDemo(t);
  const server = await startServer(t, { CORS_ORIGIN: 'https://somewhere-else.example' });
  const embedded = await openDevice(t, browser, `http://localhost:${demoPort}/?server=${encodeURIComponent(server.url)}`);
  await embedded.page.locator('#log').getByText('could not load the elements').waitFor();
  // The module was refused, so the element never upgraded, and the browser said why.
  assert.equal(await embedded.page.evaluate(() => customElements.get('share-app')), undefined);
  assert.ok(embedded.errors.some((error) => /Access-Control-Allow-Origin/.test(error)), embedded.errors.join('\n'));
});
