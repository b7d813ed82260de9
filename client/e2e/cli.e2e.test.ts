/**
 * The command-line client and the web app in one session (Debian's
 * Chromium): what the CLI sends shows in the page and saves with the same
 * SHA-256; what the page shares, `sharethings receive` writes (files) and
 * prints (texts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { runCli, sha256File } from '../cli/test-helpers.ts';
import { createSession, openDevice, shareText, textItems, useChromium } from './browser.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

/** No File System Access: saving is a download the test can read. */
const NO_SAVE_PICKER = () => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true });

test('a text and a file sent by the CLI show in the page, and the file saved there has the same SHA-256', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url, { init: NO_SAVE_PICKER });
  const credentials = await createSession(laptop.page, 'Laptop');
  const dir = await tempDir(t);
  const file = path.join(dir, 'from-cli.bin');
  await writeFile(file, randomBytes(3 * 1024 * 1024 + 5));

  const sent = await runCli(t, ['send', file, '--session', credentials.sessionId, '--text', 'Hello from the terminal', '--json'], {
    SHARETHINGS_SERVER: server.url,
    SHARETHINGS_PASSPHRASE: credentials.passphrase,
  });
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.events.filter((event) => event.event === 'shared').length, 2);

  await textItems(laptop.page).getByText('Hello from the terminal').waitFor();
  const item = laptop.page.locator('share-content-item', { hasText: 'from-cli.bin' });
  const save = item.getByRole('button', { name: 'Save', exact: true });
  await save.waitFor();
  const [download] = await Promise.all([laptop.page.waitForEvent('download'), save.click()]);
  assert.equal(download.suggestedFilename(), 'from-cli.bin');
  const received = await readFile((await download.path())!);
  assert.equal(createHash('sha256').update(received).digest('hex'), await sha256File(file));
  assert.deepEqual(laptop.realErrors(), []);
});

test('a text and a file shared in the page are printed and saved by sharethings receive', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');

  await shareText(laptop.page, 'Hello from the browser\nsecond line');
  const digest = await laptop.page.evaluate(async () => {
    const bytes = new Uint8Array(2 * 1024 * 1024 + 3);
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'from-page.bin', { type: 'application/octet-stream' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('');
  });
  // Both stored (the page's own entry offers Save once its upload is done).
  await laptop.page.locator('share-content-item', { hasText: 'from-page.bin' }).getByRole('button', { name: 'Save', exact: true }).waitFor();

  const out = path.join(await tempDir(t), 'out');
  const received = await runCli(t, ['receive', credentials.sessionId, '--out', out], {
    SHARETHINGS_SERVER: server.url,
    SHARETHINGS_PASSPHRASE: credentials.passphrase,
  });
  assert.equal(received.code, 0, received.stderr);
  assert.equal(received.stdout, 'Hello from the browser\nsecond line\n');
  assert.equal(await sha256File(path.join(out, 'from-page.bin')), digest);
  assert.match(received.stderr, /Saved .*from-page\.bin \(2\.1 MB\)/u);
  assert.deepEqual(laptop.realErrors(), []);
});
