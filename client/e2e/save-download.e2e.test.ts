/**
 * Saving without a save dialog (Firefox, Safari, phones), in Debian's
 * Chromium with showSaveFilePicker removed: once the app's service worker
 * controls the page, a file is saved while it arrives as a download the
 * worker streams (never a Blob of the whole file), with the same SHA-256;
 * the worker's caches gain nothing from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { createSession, joinSession, openDevice, useChromium } from './browser.ts';
import { untilControlled } from './service-worker.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

const NO_SAVE_DIALOG = () => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true });
const SIZE = 24 * 1024 * 1024;

test('a file saved where there is no save dialog streams through the service worker with the same SHA-256', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url);
  const phone = await openDevice(t, b, server.url, { init: NO_SAVE_DIALOG });
  await untilControlled(phone.page);
  const credentials = await createSession(laptop.page, 'Laptop');
  await joinSession(phone.page, credentials, 'Phone');

  const sent = await laptop.page.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'film.bin', { type: 'application/octet-stream' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }, SIZE);

  // "Save", not "Save when done": it can be saved while it arrives.
  const item = phone.page.locator('share-content-item', { hasText: 'film.bin' });
  const [download] = await Promise.all([
    phone.page.waitForEvent('download', { timeout: 60_000 }),
    item.getByRole('button', { name: 'Save', exact: true }).click(),
  ]);
  assert.match(download.url(), /\/stream-download\/[0-9a-f-]{36}$/);
  assert.equal(download.suggestedFilename(), 'film.bin');
  const received = await readFile((await download.path())!);
  assert.equal(received.length, SIZE);
  assert.equal(createHash('sha256').update(received).digest('hex'), sent);
  await item.getByText('Saved to disk').waitFor();

  // Nothing decrypted went into the service worker's caches: they hold the app shell only.
  const cached = await phone.page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    return urls;
  });
  assert.ok(cached.length > 0 && cached.every((url) => !url.includes('stream-download')), cached.join(', '));
  assert.deepEqual(phone.realErrors(), []);
  assert.deepEqual(laptop.realErrors(), []);
});
