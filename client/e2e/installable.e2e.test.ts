/**
 * The installable app in Debian's Chromium, against a real server on
 * localhost (a secure context, where service workers run): Chromium finds
 * nothing missing to install it; the app opens from the service worker with
 * the server stopped and says it cannot reach it, until it is back; after
 * sharing, the caches hold the app shell and nothing else; and pages that
 * embed the elements never install the service worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { startServer } from '../../server/testing/harness.ts';
import { CLIENT_OUT_DIR } from '../build.ts';
import { createSession, ensureBuilt, joinSession, launchPersistentChromium, openDevice, shareText, textItems, useChromium } from './browser.ts';
import { untilControlled } from './service-worker.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

test('Chromium finds nothing missing to install the app, and its manifest takes shares from other apps', async (t) => {
  await ensureBuilt();
  const server = await startServer(t);
  // Not a newContext(): Chromium never installs apps from incognito-like contexts.
  const profile = await mkdtemp(path.join(tmpdir(), 'sharethings-profile-'));
  const context = await launchPersistentChromium(profile);
  // Closed before its profile is removed (after-hooks run in the order they were added): Chromium writes there until it exits.
  t.after(async () => {
    if (typeof context !== 'string') await context.close();
    await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  if (typeof context === 'string') return t.skip(context);
  const page = await context.newPage();
  await page.goto(`http://localhost:${server.port}/`);
  await untilControlled(page);

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.deepEqual(manifest.errors, []);
  const parsed = JSON.parse(manifest.data ?? '{}') as { share_target?: unknown; icons?: Array<{ sizes: string; purpose: string }> };
  assert.deepEqual(parsed.share_target, {
    action: '/share-target',
    method: 'POST',
    enctype: 'multipart/form-data',
    params: { title: 'title', text: 'text', url: 'url', files: [{ name: 'files', accept: ['*/*'] }] },
  });
  assert.deepEqual(parsed.icons?.map(({ sizes, purpose }) => `${sizes} ${purpose}`), ['192x192 any', '512x512 any', '512x512 maskable']);
});

test('with the server stopped, the app opens from the service worker and says the server cannot be reached, until it is back', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const device = await openDevice(t, b, `http://localhost:${server.port}/`);
  await untilControlled(device.page);

  await server.app.close();
  await device.page.reload();
  const warning = device.page.locator('share-banner[tone=warning]');
  await warning.getByText('The server cannot be reached').waitFor();
  // The whole start page is there, from the cache.
  await device.page.getByRole('heading', { name: 'Share between your devices' }).waitFor();
  await device.page.locator('share-join-form[mode=create]').getByRole('button', { name: 'Start session' }).waitFor();

  // Back on the same port: the message goes by itself, and a session starts.
  await startAt(t, server.port, server.dataDir);
  await warning.getByText('The server cannot be reached').waitFor({ state: 'detached' });
  await createSession(device.page, 'Laptop');
  assert.deepEqual(device.realErrors(), []);
});

test('after sharing a text and a file, the caches hold only the app shell, and neither the passphrase nor the text', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const url = `http://localhost:${server.port}/`;
  const laptop = await openDevice(t, b, url);
  await untilControlled(laptop.page);
  const credentials = await createSession(laptop.page, 'Laptop');
  const phone = await openDevice(t, b, url);
  await untilControlled(phone.page);
  await joinSession(phone.page, credentials, 'Phone');

  const secret = 'the secret text nobody may cache';
  await shareText(laptop.page, secret);
  await laptop.page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['the secret file body'], 'notes.txt', { type: 'text/plain' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  });
  await textItems(phone.page).getByText(secret).waitFor();
  await phone.page.locator('share-content-item', { hasText: 'notes.txt' }).getByRole('button', { name: 'Save', exact: true }).waitFor();

  for (const device of [laptop, phone]) {
    const stored = await device.page.evaluate(async () => {
      const entries: Array<{ url: string; body: string }> = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          entries.push({ url: request.url, body: await (await cache.match(request))!.text() });
        }
      }
      return entries;
    });
    const paths = stored.map((entry) => new URL(entry.url).pathname).sort();
    assert.deepEqual(paths.map((path) => path.replace(/-[A-Z0-9]{8}\.js$/, '-[hash].js')), [
      '/app-[hash].js',
      '/derive-keys-[hash].js',
      '/favicon.svg',
      '/icons/apple-touch-icon.png',
      '/icons/icon-192.png',
      '/icons/icon-512.png',
      '/icons/icon-maskable-512.png',
      '/index.html',
      '/manifest.webmanifest',
      '/register-service-worker-[hash].js',
    ]);
    for (const { url: cached, body } of stored) {
      assert.ok(!body.includes(credentials.passphrase), `${cached} holds the passphrase`);
      assert.ok(!body.includes(secret) && !body.includes('the secret file body'), `${cached} holds shared content`);
    }
  }
});

test('a page embedding the elements installs no service worker; only the app page does', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const url = `http://localhost:${server.port}/`;
  // The demo from the same origin, so a registration from the elements would land in scope.
  const embedder = await openDevice(t, b, `${url}embed-demo/index.html?server=${encodeURIComponent(url)}`);
  await embedder.page.getByRole('button', { name: 'Start session' }).waitFor();
  const registrations = () => embedder.page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);
  assert.equal(await registrations(), 0);

  await embedder.page.goto(url);
  await untilControlled(embedder.page);
  assert.equal(await registrations(), 1);
});

/** The app again on a fixed port and data directory (the harness always picks a new port). */
async function startAt(t: TestContext, port: number, dataDir: string): Promise<void> {
  const config = loadConfig(
    { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', SHUTDOWN_TIMEOUT_MS: '2000', PORT: String(port), HOST: '127.0.0.1' },
    { clientDir: CLIENT_OUT_DIR, dataDir },
  );
  const app = await createApp(config, { log: createLogger(config.logLevel) });
  app.httpServer.listen(port, '127.0.0.1');
  await once(app.httpServer, 'listening');
  t.after(() => app.close());
}
