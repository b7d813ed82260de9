/**
 * How the app looks: screenshots of the start page, of a session with
 * items, and of "Add a device" open, at 1280×800 and 390×844, light and dark,
 * written to test-artifacts/screenshots/ for people to look at; the layout
 * checked to fit a 360 px wide screen without scrolling sideways; the
 * selected start tab told apart when hovered or tapped; on a phone the whole
 * session id and the composer first, and no keyboard hint on touch screens.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
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
/** For measuring computed colors: no transition halfway. */
const STILL = { reducedMotion: 'reduce' } as const;

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
  // As `make run` starts: HTTPS beside HTTP, so "Add a device" offers this machine's network addresses.
  const server = await startServer(t, { HTTPS: 'on' });
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

  // "Add a device" open: from the start on a desktop, by a tap on a phone.
  await laptop.page.locator('share-invite').scrollIntoViewIfNeeded();
  await shoot(laptop.page, 'invite-desktop');
  await phone.page.getByText('Add a device').tap();
  await phone.page.locator('share-invite').scrollIntoViewIfNeeded();
  await shoot(phone.page, 'invite-phone');

  await phone.page.setViewportSize({ width: 360, height: 740 });
  assert.ok(await fitsWidth(phone.page), 'the session fits 360 px');
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});

/** A color's relative luminance (WCAG), from 0-255 channels. */
function luminance([r, g, b]: readonly number[]): number {
  const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r!) + 0.7152 * linear(g!) + 0.0722 * linear(b!);
}

function contrast(a: readonly number[], b: readonly number[]): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** A tab's background and border as seen on the tab list (translucent colors laid over it), as RGB. */
function tabLook(tab: Locator): Promise<{ background: number[]; border: number[] }> {
  return tab.evaluate((element) => {
    const list = getComputedStyle(element.parentElement!).backgroundColor;
    const style = getComputedStyle(element);
    const g = new OffscreenCanvas(1, 1).getContext('2d')!;
    const [background, border] = [style.backgroundColor, style.borderTopColor].map((color) => {
      g.fillStyle = list;
      g.fillRect(0, 0, 1, 1);
      g.fillStyle = color;
      g.fillRect(0, 0, 1, 1);
      return [...g.getImageData(0, 0, 1, 1).data].slice(0, 3);
    });
    return { background: background!, border: border! };
  });
}

test('the selected start tab stays visibly selected when hovered or tapped, and stands out in the dark', async (t) => {
  if (!browser) return t.skip(skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url, STILL);
  const phone = await openDevice(t, browser, server.url, { ...PHONE, ...STILL });
  for (const [device, page] of [['desktop', laptop.page], ['phone', phone.page]] as const) {
    const selected = page.getByRole('tab', { name: 'New session' });
    const other = page.getByRole('tab', { name: 'Join' });
    assert.equal(await selected.getAttribute('aria-selected'), 'true');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.mouse.move(0, 0);
      const resting = await tabLook(selected);
      // A tap leaves :hover on the tab, as a pointer over it does.
      if (device === 'phone') await selected.tap();
      else await selected.hover();
      const hovered = await tabLook(selected);
      const unselected = await tabLook(other);
      const where = `${device}, ${scheme}`;
      assert.deepEqual(hovered, resting, `${where}: the selected tab looks the same hovered`);
      const apart = Math.max(contrast(hovered.background, unselected.background), contrast(hovered.border, unselected.border));
      assert.ok(apart >= 3, `${where}: the selected tab's edge or fill contrasts ${apart.toFixed(2)}:1 with the other tab, at least 3:1`);
    }
  }
});

test('on a phone the session id shows in full and the composer comes before the members card', async (t) => {
  if (!browser) return t.skip(skip);
  const server = await startServer(t);
  const phone = await openDevice(t, browser, server.url, PHONE);
  const { sessionId } = await createSession(phone.page, 'Sam’s phone');
  const id = phone.page.getByRole('heading', { level: 1, name: `Session ${sessionId}` });
  const shown = await id.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const header = element.parentElement!.getBoundingClientRect();
    return {
      text: (element as HTMLElement).innerText,
      fits: element.scrollWidth <= element.clientWidth && element.scrollHeight <= element.clientHeight,
      inside: box.left >= header.left && box.right <= header.right && box.right <= innerWidth,
    };
  });
  assert.equal(shown.text.replace(/\s/g, ''), `Session${sessionId}`, 'the whole id is rendered (after a hidden "Session")');
  assert.ok(shown.fits, 'no part of the id is clipped');
  assert.ok(shown.inside, 'the id lies within the header and the screen');
  const composer = await phone.page.locator('share-composer').boundingBox();
  const members = await phone.page.locator('.members', { hasText: 'Here now' }).boundingBox();
  assert.ok(composer && members && composer.y < members.y, 'the composer is above the members card');
});

test('the keyboard hint shows on a desktop and not on a touch phone', async (t) => {
  if (!browser) return t.skip(skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url);
  const phone = await openDevice(t, browser, server.url, PHONE);
  const credentials = await createSession(laptop.page, 'Laptop');
  await joinSession(phone.page, credentials, 'Phone');
  const hint = (page: Page) => page.locator('share-composer').getByText('paste or drop files anywhere');
  assert.ok(await hint(laptop.page).isVisible(), 'desktop: Enter, Shift+Enter and drop are explained');
  assert.ok(await phone.page.getByLabel('Text to share').isVisible(), 'phone: the composer is there');
  assert.equal(await hint(phone.page).isVisible(), false, 'phone: no keyboard hint');
});
