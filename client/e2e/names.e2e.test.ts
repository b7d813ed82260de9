/**
 * File names and previews a receiver can trust: the final extension shows as
 * a badge, a disguised name is shown collapsed, and only a file whose type,
 * extension and first bytes agree is previewed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { createSession, joinSession, openDevice, useChromium } from './browser.ts';

const chromium = useChromium();

function chromiumOrSkip(t: TestContext): Browser | undefined {
  if (!chromium.browser) t.skip(chromium.skip);
  return chromium.browser;
}

/** Pastes a file with these bytes (as Latin-1 text), name and declared type. */
async function pasteFile(page: Page, bytes: string, name: string, type: string): Promise<void> {
  await page.evaluate(
    ([bytes, name, type]) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from([...bytes!].map((c) => c.charCodeAt(0)))], name!, { type }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [bytes, name, type],
  );
}

test('an .exe declared application/pdf gets no preview and shows its .exe badge; a real PDF is previewed', async (t) => {
  const b = chromiumOrSkip(t);
  if (!b) return;
  const server = await startServer(t);
  const laptop = await openDevice(t, b, server.url);
  const phone = await openDevice(t, b, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');
  await joinSession(phone.page, credentials, 'Phone');

  await pasteFile(laptop.page, '%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'report.pdf', 'application/pdf');
  const pdf = phone.page.locator('share-content-item', { hasText: 'report.pdf' });
  await pdf.locator('share-preview').waitFor();
  assert.equal(await pdf.locator('[part=extension]').textContent(), '.pdf');

  const disguised = 'invoice.pdf\u200b\u3000\u3000\u3000\u3000\u3000\u3000.exe';
  await pasteFile(laptop.page, 'MZ\x90\x00\x03\x00\x00\x00 not a pdf at all', disguised, 'application/pdf');
  const exe = phone.page.locator('share-content-item', { hasText: 'invoice.pdf' });
  await exe.getByRole('button', { name: 'Save', exact: true }).waitFor();
  assert.equal(await exe.locator('[part=extension]').textContent(), '.exe');
  assert.equal(await exe.locator('.name').textContent(), 'invoice.pdf .exe', 'shown collapsed, the padding gone');
  assert.equal(await exe.locator('share-preview').count(), 0, 'no preview');
  assert.equal(await exe.locator('share-file-icon').count(), 1, 'just the file icon');
  // The sender's own view follows the same rule.
  const own = laptop.page.locator('share-content-item', { hasText: 'invoice.pdf' });
  await own.locator('[part=extension]').waitFor();
  assert.equal(await own.locator('share-preview').count(), 0);
  assert.deepEqual(phone.realErrors(), []);
});
