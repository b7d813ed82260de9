/**
 * A phone joins from "Add a device" over the network: the app is opened at a
 * name other than localhost (a test host name mapped to 127.0.0.1, the
 * self-signed certificate accepted as a person clicks through its warning),
 * plain HTTP there leads to HTTPS, and a second device opens the invitation's
 * link and receives a text and a file with the same SHA-256.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { createSession, ensureBuilt, launchChromium, openDevice, shareText, textItems } from './browser.ts';

const HOST = 'sharethings.test';
let browser: Browser | undefined;
let skip: string | undefined;

before(async () => {
  await ensureBuilt();
  const launched = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, '--ignore-certificate-errors']);
  if (typeof launched === 'string') skip = launched;
  else browser = launched;
});
after(() => browser?.close());

test('opened by its network name, the app moves to HTTPS, and a phone joins from "Add a device" and receives a text and a file', async (t) => {
  if (!browser) return void t.skip(skip);
  const server = await startServer(t, { HTTPS: 'on', TLS_NAMES: HOST });
  const https = `https://${HOST}:${server.httpsPort}/`;

  const laptop = await openDevice(t, browser, `http://${HOST}:${server.port}/`);
  assert.equal(laptop.page.url(), https);
  const credentials = await createSession(laptop.page, 'Laptop');

  const invite = laptop.page.locator('share-invite');
  const link = (await invite.locator('[part=link] a').getAttribute('href'))!;
  assert.equal(link, `${https}#session=${credentials.sessionId}`);
  // The other addresses of this machine are offered too, this page's own first.
  const choices = await invite.locator('select option').allTextContents();
  assert.match(choices[0]!, new RegExp(`^${HOST}:${server.httpsPort} `));
  // The fingerprint a person compares with the browser's warning is the server's certificate's.
  const shown = (await invite.locator('.fingerprint code').allTextContents()).join(' ');
  assert.equal(shown.replaceAll(' ', ':'), server.app.secure!.material.fingerprint);

  // A phone's browser has no File System Access: saving is a download.
  const phone = await openDevice(t, browser, link, {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    init: () => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }),
  });
  const form = phone.page.locator('share-join-form[mode=join]');
  assert.equal(await form.getByLabel('Session').inputValue(), credentials.sessionId);
  await form.getByLabel('Passphrase', { exact: true }).fill(credentials.passphrase);
  await form.getByLabel('Your name').fill('Phone');
  await form.getByRole('button', { name: 'Join session' }).click();
  await phone.page.locator('share-connection-status').getByText('Connected').waitFor();

  await shareText(laptop.page, 'hello from the laptop');
  await textItems(phone.page).getByText('hello from the laptop').waitFor();

  const sent = await laptop.page.evaluate(async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(60_000));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'notes.bin', { type: 'application/octet-stream' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  });
  const save = phone.page.locator('share-content-item', { hasText: 'notes.bin' }).getByRole('button', { name: 'Save', exact: true });
  await save.waitFor();
  const [download] = await Promise.all([phone.page.waitForEvent('download'), save.click()]);
  const received = await readFile((await download.path())!);
  assert.equal(createHash('sha256').update(received).digest('hex'), sent);
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});
