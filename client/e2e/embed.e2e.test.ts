/**
 * The elements embedded in a page on another origin: the demo page served by
 * a second HTTP server, the elements and the key-derivation worker loaded
 * cross-origin from the ShareThings server, whose CORS_ORIGIN allows the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../server/testing/harness.ts';
import {
  WORKER_PROBE,
  createSession,
  joinSession,
  openDevice,
  serveDemo,
  shareText,
  textItems,
  useChromium,
  workersOf,
} from './browser.ts';

const chromium = useChromium();

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
