/**
 * How the app looks: screenshots of the start page and of a session with
 * items, at 1280×800 and 390×844, light and dark, written to
 * test-artifacts/screenshots/ for people to look at; and the layout checked
 * to fit a 360 px wide screen without scrolling sideways.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { SCREENSHOT_DIR, createSession, ensureBuilt, joinSession, launchChromium, openDevice, shareText, textItems } from './browser.ts';

let browser: Browser | undefined;
let skip: string | undefined;

before(async () => {
  await ensureBuilt();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const launched = await launchChromium();
  if (typeof launched === 'string') skip = launched;
  else browser = launched;
});

after(() => browser?.close());

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** `name`-light.png and `name`-dark.png; with `fullPage`, also `name`-full-light.png. */
async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Let the theme's transitions settle before the picture.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`), animations: 'disabled' });
    if (fullPage && scheme === 'light') {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-full-${scheme}.png`), animations: 'disabled', fullPage });
    }
  }
}

/** True when nothing sticks out sideways (no horizontal scrolling). */
function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

/** A 640×400 picture drawn in the page, pasted as if from the clipboard. */
async function pasteImage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(640, 400);
    const g = canvas.getContext('2d')!;
    const sky = g.createLinearGradient(0, 0, 0, 400);
    sky.addColorStop(0, '#6aa8ff');
    sky.addColorStop(1, '#ffd6a5');
    g.fillStyle = sky;
    g.fillRect(0, 0, 640, 400);
    g.fillStyle = '#ffef9f';
    g.beginPath();
    g.arc(470, 150, 60, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#3a6b4a';
    g.beginPath();
    g.moveTo(0, 400);
    g.lineTo(0, 280);
    g.quadraticCurveTo(180, 200, 330, 300);
    g.quadraticCurveTo(480, 380, 640, 260);
    g.lineTo(640, 400);
    g.fill();
    const data = new DataTransfer();
    data.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'image.png', { type: 'image/png' }));
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
}

/** A file dropped on the page. */
async function dropFile(page: Page, name: string, type: string, size: number): Promise<void> {
  await page.evaluate(
    ({ name, type, size }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(size)], name, { type }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { name, type, size },
  );
}

test('the start page and a session look finished on a desktop and a phone, light and dark, and fit 360 px', async (t) => {
  if (!browser) return t.skip(skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url);
  const phone = await openDevice(t, browser, server.url, PHONE);
  await laptop.page.getByRole('button', { name: 'Start session' }).waitFor();
  await phone.page.getByRole('button', { name: 'Start session' }).waitFor();
  await shoot(laptop.page, 'start-desktop');
  await shoot(phone.page, 'start-phone');
  await phone.page.setViewportSize({ width: 360, height: 740 });
  assert.ok(await fitsWidth(phone.page), 'the start page fits 360 px');
  await phone.page.setViewportSize(PHONE.viewport);

  const credentials = await createSession(laptop.page, 'Sam’s laptop');
  await joinSession(phone.page, credentials, 'Sam’s phone');
  await shareText(laptop.page, 'Meeting notes: https://example.org/notes/2026-03-12\nRoom 4B at 14:30 — bring the adapter.');
  await textItems(phone.page).getByText('Room 4B').waitFor();
  await dropFile(laptop.page, 'quarterly-report.zip', 'application/zip', 2_400_000);
  await pasteImage(phone.page);
  await shareText(phone.page, 'Wi-Fi password for the guest network: correct-horse-battery');
  await laptop.page.locator('share-preview img').waitFor();
  await laptop.page.locator('share-content-item', { hasText: 'quarterly-report.zip' }).getByRole('button', { name: 'Save', exact: true }).waitFor();
  await phone.page.locator('share-content-item', { hasText: 'quarterly-report.zip' }).getByRole('button', { name: 'Save', exact: true }).waitFor();
  await textItems(laptop.page).getByText('Wi-Fi password').waitFor();
  await laptop.page.getByLabel('Text to share').blur();

  await shoot(laptop.page, 'session-desktop', true);
  await phone.page.evaluate(() => window.scrollTo(0, 0));
  await shoot(phone.page, 'session-phone', true);
  await phone.page.setViewportSize({ width: 360, height: 740 });
  assert.ok(await fitsWidth(phone.page), 'the session fits 360 px');
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});
