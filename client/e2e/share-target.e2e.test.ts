/**
 * The installed app as a share target, in Debian's Chromium against a real
 * server on localhost: another app's multipart POST to /share-target (here a
 * form submitted from a blank page, as the system share sheet would) is
 * taken by the service worker, never by the server, and its text and file
 * reach the other devices of the session, through a window of the app that
 * is already in one, or right after joining one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../../server/testing/harness.ts';
import { createSession, joinSession, openDevice, textItems, useChromium, type Device } from './browser.ts';
import { untilControlled } from './service-worker.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

const SHARED = {
  title: 'Holiday plans',
  text: 'Meet at the station at 9: https://example.org/plans',
  url: 'https://example.org/plans',
};
/** The one text item the three fields make: the URL was in the text already. */
const SHARED_TEXT = 'Holiday plans\nMeet at the station at 9: https://example.org/plans';

/** Saving is a plain download, as without File System Access (whose picker would wait for a person). */
const NO_SAVE_PICKER = () => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true });

/** Every request path the server answered, to show that /share-target was never one. */
function requestPaths(server: TestServer): string[] {
  const paths: string[] = [];
  server.app.httpServer.on('request', (req) => paths.push(new URL(req.url ?? '/', 'http://x').pathname));
  return paths;
}

/** Posts title, text, url and a 200 kB file to the share target from a blank page; resolves with the file's SHA-256. */
async function shareFromAnotherApp(page: Page, appUrl: string): Promise<string> {
  await page.setContent(`<form method="post" action="${new URL('/share-target', appUrl).href}" enctype="multipart/form-data">
    <input name="title"><input name="text"><input name="url"><input type="file" name="files"></form>`);
  // A blank page is no secure context (no crypto.subtle): the bytes and their hash come from here.
  const bytes = randomBytes(200_000);
  await page.evaluate(({ fields, base64 }) => {
    for (const [name, value] of Object.entries(fields)) document.querySelector<HTMLInputElement>(`input[name=${name}]`)!.value = value;
    const data = new DataTransfer();
    data.items.add(new File([Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))], 'boarding-pass.bin', { type: 'application/octet-stream' }));
    document.querySelector<HTMLInputElement>('input[type=file]')!.files = data.files;
  }, { fields: SHARED, base64: bytes.toString('base64') });
  // A navigation, as a share sheet's is: the service worker answers it with a 303 to the app.
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.evaluate(() => document.querySelector('form')!.submit())]);
  return createHash('sha256').update(bytes).digest('hex');
}

/** Waits for the text, then saves the file on `device`; resolves with the saved bytes' SHA-256. */
async function receivedOn(device: Device): Promise<string> {
  await textItems(device.page).getByText('Holiday plans').waitFor();
  assert.equal(await textItems(device.page).first().textContent(), SHARED_TEXT);
  const save = device.page.locator('share-content-item', { hasText: 'boarding-pass.bin' }).getByRole('button', { name: 'Save', exact: true });
  const [download] = await Promise.all([device.page.waitForEvent('download'), save.click()]);
  return createHash('sha256').update(await readFile((await download.path())!)).digest('hex');
}

test('shared from another app, a text and a file go into the session open in another window of the app', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const paths = requestPaths(server);
  const url = `http://localhost:${server.port}/`;
  const laptop = await openDevice(t, b, url);
  await untilControlled(laptop.page);
  const credentials = await createSession(laptop.page, 'Laptop');
  const phone = await openDevice(t, b, url, { init: NO_SAVE_PICKER });
  await joinSession(phone.page, credentials, 'Phone');

  const shareSheet = await laptop.context.newPage();
  const sent = await shareFromAnotherApp(shareSheet, url);
  await shareSheet.getByText(`Sent to session ${credentials.sessionId} in your other window.`).waitFor();
  // The id is gone from the address: a reload asks for nothing.
  assert.equal(new URL(shareSheet.url()).search, '');

  assert.equal(await receivedOn(phone), sent);
  assert.ok(paths.includes('/'), 'the server saw the first page load');
  assert.deepEqual(paths.filter((path) => path.startsWith('/share-target')), []);
  assert.deepEqual(laptop.realErrors(), []);
});

test('shared from another app with no window in a session, a text and a file wait on the start page and go in on joining', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const paths = requestPaths(server);
  const url = `http://localhost:${server.port}/`;
  const laptop = await openDevice(t, b, url, { init: NO_SAVE_PICKER });
  const credentials = await createSession(laptop.page, 'Laptop');
  // The phone has the app installed (its service worker) but not open.
  const phone = await openDevice(t, b, url);
  await untilControlled(phone.page);
  await phone.page.close();

  const shareSheet = await phone.context.newPage();
  const sent = await shareFromAnotherApp(shareSheet, url);
  await shareSheet.getByText('1 text and 1 file shared from another app: join a session to send them.').waitFor();
  await joinSession(shareSheet, credentials, 'Phone');

  assert.equal(await receivedOn(laptop), sent);
  // Sent once: the start page's message went with them.
  assert.equal(await textItems(laptop.page).count(), 1);
  assert.deepEqual(paths.filter((path) => path.startsWith('/share-target')), []);
});
