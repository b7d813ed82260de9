/**
 * The web client in Debian's Chromium, two browser contexts as two devices,
 * against the built bundle served by a real server: creating and joining,
 * text both ways, a pasted image, a 30 MB dropped file saved with the same
 * SHA-256, a wrong passphrase, and a server restart survived without reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { CLIENT_OUT_DIR } from '../build.ts';
import {
  SCREENSHOT_DIR,
  WORKER_PROBE,
  createSession,
  joinSession,
  openDevice,
  shareText,
  submitJoin,
  textItems,
  useChromium,
  workersOf,
} from './browser.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

/** Both devices in one session: A created it, B joined. */
async function pair(t: TestContext, b: Browser, url: string, init?: { a?: (() => void) | string; b?: (() => void) | string }) {
  const laptop = await openDevice(t, b, url, { init: init?.a });
  const phone = await openDevice(t, b, url, { init: init?.b });
  const credentials = await createSession(laptop.page, 'Laptop');
  await joinSession(phone.page, credentials, 'Phone');
  return { laptop, phone, credentials };
}

test('a session created on one device is joined from another, and text goes both ways', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const { laptop, phone } = await pair(t, b, server.url, { a: WORKER_PROBE });
  // The 600,000 PBKDF2 iterations ran in the worker, which answered with the 32 master bytes.
  assert.deepEqual((await workersOf(laptop.page)).map(({ url, ok }) => ({ worker: /\/derive-keys-[A-Z0-9]+\.js$/.test(url), ok })), [
    { worker: true, ok: true },
  ]);

  // Each sees both members, itself marked.
  for (const [device, self, other] of [[laptop, 'Laptop', 'Phone'], [phone, 'Phone', 'Laptop']] as const) {
    const member = (name: string) => device.page.locator('share-member-list li', { hasText: name });
    await member(other).waitFor();
    assert.equal(await device.page.locator('share-member-list li').count(), 2);
    assert.match((await member(self).textContent()) ?? '', /\(you\)/);
    assert.doesNotMatch((await member(other).textContent()) ?? '', /\(you\)/);
  }
  // Both derived the same key.
  const fingerprint = (p: Page) => p.locator('share-fingerprint [part=code]').textContent();
  assert.equal(await fingerprint(laptop.page), await fingerprint(phone.page));

  await shareText(laptop.page, 'Hello from the laptop\nsecond line');
  await textItems(phone.page).getByText('Hello from the laptop').waitFor();
  assert.equal(await textItems(phone.page).first().textContent(), 'Hello from the laptop\nsecond line');

  await shareText(phone.page, 'And back from the phone');
  await textItems(laptop.page).getByText('And back from the phone').waitFor();
  assert.deepEqual(laptop.realErrors(), []);
  assert.deepEqual(phone.realErrors(), []);
});

test('an image pasted from the clipboard appears as a preview on the other device', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const { laptop, phone } = await pair(t, b, server.url);

  await laptop.page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#e0457b';
    context.fillRect(0, 0, 64, 48);
    const png = await canvas.convertToBlob({ type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(new File([png], 'image.png', { type: 'image/png' }));
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });

  const image = phone.page.locator('share-preview img');
  await image.waitFor();
  await phone.page.waitForFunction(
    (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth === 64 && img.naturalHeight === 48,
    await image.elementHandle(),
  );
  assert.match((await image.getAttribute('src')) ?? '', /^blob:/);
  assert.deepEqual(phone.realErrors(), []);
});

test('a 30 MB file dropped on one device is saved on the others with the same SHA-256', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  // The phone has no File System Access (a Blob download); the tablet streams to a file (a stand-in for the picker).
  const { laptop, phone, credentials } = await pair(t, b, server.url, {
    b: () => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }),
  });
  const tablet = await openDevice(t, b, server.url, { init: STREAMING_PICKER_STUB });
  await joinSession(tablet.page, credentials, 'Tablet');

  const sent = await laptop.page.evaluate(async () => {
    const bytes = new Uint8Array(30 * 1024 * 1024);
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    const file = new File([bytes], 'holiday-video.bin', { type: 'application/octet-stream' });
    const data = new DataTransfer();
    data.items.add(file);
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  });

  // Saved while it may still be arriving: streamed into the "file" chunk by chunk.
  const tabletItem = tablet.page.locator('share-content-item', { hasText: 'holiday-video.bin' });
  await tabletItem.getByRole('button', { name: /^Save/ }).click();
  await tablet.page.waitForFunction(() => (window as unknown as { savedDigest?: string }).savedDigest !== undefined, undefined, { timeout: 60_000 });
  assert.equal(await tablet.page.evaluate(() => (window as unknown as { savedDigest: string }).savedDigest), sent);
  await tabletItem.getByText('Saved to disk').waitFor();

  // Saved once complete, as a download.
  const phoneItem = phone.page.locator('share-content-item', { hasText: 'holiday-video.bin' });
  const save = phoneItem.getByRole('button', { name: 'Save', exact: true });
  await save.waitFor({ timeout: 60_000 });
  const [download] = await Promise.all([phone.page.waitForEvent('download'), save.click()]);
  assert.equal(download.suggestedFilename(), 'holiday-video.bin');
  const received = await readFile((await download.path())!);
  assert.equal(received.length, 30 * 1024 * 1024);
  assert.equal(createHash('sha256').update(received).digest('hex'), sent);

  // The sender's own entry finished too.
  await laptop.page.locator('share-content-item', { hasText: 'holiday-video.bin' }).getByRole('button', { name: 'Save', exact: true }).waitFor();
  for (const device of [laptop, phone, tablet]) assert.deepEqual(device.realErrors(), []);
});

test('a mistyped session id and a wrong passphrase are refused with messages saying so, and repeated failures with the wait', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t, { JOIN_FAILURES_PER_ADDRESS: '1' });
  const laptop = await openDevice(t, b, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');
  const stranger = await openDevice(t, b, server.url);
  const alert = stranger.page.locator('share-join-form[mode=join]').getByRole('alert');
  // A typo in the id does not quietly open a new, empty session.
  await submitJoin(stranger.page, { ...credentials, sessionId: `${credentials.sessionId}x` }, 'Stranger');
  await alert.getByText('There is no session with this id').waitFor();
  assert.equal(await server.app.store.sessionCount(), 1);
  // An invitation link pasted into the Session field gives its id.
  const sessionField = stranger.page.locator('share-join-form[mode=join]').getByLabel('Session');
  await sessionField.fill(`${server.url}/#session=${credentials.sessionId}`);
  assert.equal(await sessionField.inputValue(), credentials.sessionId);

  await submitJoin(stranger.page, { ...credentials, passphrase: 'not-the-right-words' }, 'Stranger');
  await alert.getByText('Wrong passphrase').waitFor();
  // Nobody new appeared in the session.
  assert.equal(await laptop.page.locator('share-member-list li').count(), 1);

  await stranger.page.locator('share-join-form[mode=join]').getByRole('button', { name: 'Join session' }).click();
  await alert.getByText(/Too many attempts\. Try again in \d+ (s|min)/).waitFor();
  assert.deepEqual(stranger.realErrors(), []);
});

test('joining while the server is unreachable says so at once', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url);
  await laptop.page.getByRole('button', { name: 'Start session' }).waitFor();
  await server.app.close();
  const started = Date.now();
  await laptop.page.getByLabel('Your name').first().fill('Laptop');
  await laptop.page.getByRole('button', { name: 'Start session' }).click();
  await laptop.page.getByRole('alert').getByText('Cannot reach the server').waitFor();
  assert.ok(Date.now() - started < 10_000, 'well before the 20 s join timeout');
});

test('a device that goes offline shows it, and comes back by itself', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const { laptop, phone } = await pair(t, b, server.url);
  await phone.context.setOffline(true);
  await phone.page.locator('share-connection-status').getByText('Offline').waitFor();
  await phone.context.setOffline(false);
  await phone.page.locator('share-connection-status').getByText('Connected').waitFor({ timeout: 30_000 });
  await shareText(laptop.page, 'welcome back');
  await textItems(phone.page).getByText('welcome back').waitFor();
});

test('a link with the passphrase in its fragment joins at once, and the passphrase then leaves the address bar', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url);
  const { sessionId, passphrase } = await createSession(laptop.page, 'Laptop');
  const invite = laptop.page.locator('share-invite');
  // The passphrase is not on screen until asked for (screen sharing).
  const shown = invite.locator('[part=credentials] code').nth(1);
  assert.match((await shown.textContent())!, /^•+$/);
  await invite.getByRole('button', { name: 'Show passphrase' }).click();
  assert.equal((await shown.textContent())!.trim(), passphrase);
  await invite.getByLabel('Put the passphrase in the link').check();
  const link = (await invite.locator('[part=link] a').getAttribute('href'))!;
  assert.match(link, /#session=.+&passphrase=/);
  assert.equal(await invite.locator('share-qr-code').getAttribute('value'), link);

  // A phone that knows its name (remembered from an earlier session) opens the link.
  const phone = await openDevice(t, b, link, { init: "localStorage.setItem('sharethings.name', 'Phone')" });
  await phone.page.locator('share-connection-status').getByText('Connected').waitFor();
  await laptop.page.locator('share-member-list li', { hasText: 'Phone' }).waitFor();
  assert.equal(new URL(phone.page.url()).hash, `#session=${sessionId}`);
  assert.deepEqual(phone.realErrors(), []);
});

test('after a server restart the session shows reconnecting, then connected, and sharing works without a reload', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const dataDir = await tempDir(t);
  const first = await startServer(t, { DATA_DIR: dataDir });
  const { laptop, phone } = await pair(t, b, first.url);
  await shareText(laptop.page, 'before the restart');
  await textItems(phone.page).getByText('before the restart').waitFor();

  await first.app.close();
  const status = (page: Page) => page.locator('share-connection-status');
  await status(laptop.page).getByText(/Reconnecting|Offline/).waitFor();
  await status(phone.page).getByText(/Reconnecting|Offline/).waitFor();
  await status(laptop.page).getByText(/Reconnecting… \(attempt \d+\)/).waitFor();
  // Shared while the server is away: it waits, and goes once the session is back.
  await shareText(phone.page, 'typed while the server was down');
  await phone.page.locator('share-content-item', { hasText: 'typed while the server was down' }).getByText('Waiting for connection').waitFor();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await phone.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'session-reconnecting-desktop-light.png'), animations: 'disabled' });

  await startAt(t, first.port, dataDir);
  await status(laptop.page).getByText('Connected').waitFor({ timeout: 30_000 });
  await status(phone.page).getByText('Connected').waitFor({ timeout: 30_000 });

  // Sent once the phone is back; the laptop gets it live, or from history when it rejoins after the phone.
  await textItems(laptop.page).getByText('typed while the server was down').waitFor();
  assert.equal(await phone.page.getByText('Waiting for connection').count(), 0);
  await shareText(phone.page, 'after the restart');
  await textItems(laptop.page).getByText('after the restart').waitFor();
  // The timeline survived, and no page was reloaded.
  await textItems(laptop.page).getByText('before the restart').waitFor();
  assert.deepEqual(laptop.realErrors(), []);
  assert.deepEqual(phone.realErrors(), []);
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

/**
 * Stands in for the save dialog: showSaveFilePicker returns a handle whose
 * writable collects the chunks and records their SHA-256 on window.savedDigest.
 * A string, not a function: the test runner's transpiler would add helpers
 * the page does not have.
 */
const STREAMING_PICKER_STUB = `
  Object.defineProperty(window, 'showSaveFilePicker', {
    configurable: true,
    value: async () => ({
      createWritable: async () => {
        const chunks = [];
        return new WritableStream({
          write(chunk) { chunks.push(new Uint8Array(chunk)); },
          async close() {
            const all = new Uint8Array(await new Blob(chunks).arrayBuffer());
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
            window.savedDigest = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
          },
        });
      },
    }),
  });
`;
