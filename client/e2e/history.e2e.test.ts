/**
 * History and item operations in the browser: a late joiner sees what was
 * shared before and pages further on scroll; a reload with a remembered
 * passphrase rejoins at once; pin, rename, remove and clear all reach the
 * other device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import {
  createSession,
  joinSession,
  openDevice,
  shareText,
  submitJoin,
  textItems,
  useChromium,
} from './browser.ts';

const chromium = useChromium();

const item = (page: Page, text: string) => page.locator('share-content-item', { hasText: text });

test('a late joiner sees the history, loads older items on scroll, and rejoins on reload (by itself with a remembered passphrase)', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');
  const count = 55; // more than the first page (50) that a join brings
  for (let i = 1; i <= count; i++) await shareText(laptop.page, `note ${i}`);
  await textItems(laptop.page).getByText(`note ${count}`, { exact: true }).waitFor();
  await laptop.page.locator('share-content-item', { hasText: `note ${count}` }).getByRole('button', { name: 'Copy' }).waitFor();

  const phone = await openDevice(t, browser, server.url);
  await phone.page.getByRole('tab', { name: 'Join' }).click();
  await phone.page.locator('share-join-form[mode=join]').getByLabel('Remember the passphrase on this device').check();
  await joinSession(phone.page, credentials, 'Phone');
  await textItems(phone.page).getByText(`note ${count}`, { exact: true }).waitFor();
  assert.equal(await textItems(phone.page).first().textContent(), `note ${count}`, 'newest first');
  assert.equal(await textItems(phone.page).count(), 50);

  // Scrolling to the end loads the rest.
  await phone.page.getByRole('button', { name: 'Load older items' }).scrollIntoViewIfNeeded();
  await textItems(phone.page).getByText('note 1', { exact: true }).waitFor();
  assert.equal(await textItems(phone.page).count(), count);
  assert.equal(await phone.page.getByRole('button', { name: 'Load older items' }).count(), 0);

  // A reload rejoins by itself (name and passphrase remembered) and shows the history again.
  await phone.page.reload();
  await phone.page.locator('share-connection-status').getByText('Connected').waitFor();
  await textItems(phone.page).getByText(`note ${count}`, { exact: true }).waitFor();

  // Without a remembered passphrase, a reload offers to rejoin this tab's session (not a new one).
  await laptop.page.reload();
  const form = laptop.page.locator('share-join-form[mode=join]');
  await form.waitFor();
  assert.equal(await form.getByLabel('Session').inputValue(), credentials.sessionId);
  await form.getByLabel('Passphrase', { exact: true }).fill(credentials.passphrase);
  await form.getByRole('button', { name: 'Join session' }).click();
  await textItems(laptop.page).getByText(`note ${count}`, { exact: true }).waitFor();
  // Its own items are still its own after the reload.
  await laptop.page.locator('share-content-item', { hasText: `note ${count}` }).getByText('You', { exact: true }).waitFor();
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});

test('pinning, renaming, removing and clearing on one device show on the other', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');
  const phone = await openDevice(t, browser, server.url);
  await joinSession(phone.page, credentials, 'Phone');

  await shareText(laptop.page, 'keep this one');
  await laptop.page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['draft'], 'draft.txt', { type: 'text/plain' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await shareText(laptop.page, 'throw this away');
  await textItems(phone.page).getByText('throw this away').waitFor();
  await item(phone.page, 'draft.txt').getByRole('button', { name: 'Save', exact: true }).waitFor();

  // Pin: the pinned item moves to the top, marked, on the other device.
  await item(phone.page, 'keep this one').getByRole('button', { name: 'Pin' }).click();
  await item(laptop.page, 'keep this one').getByText('Pinned').waitFor();
  assert.match((await laptop.page.locator('share-content-item article').first().textContent()) ?? '', /keep this one/);

  // Rename a file.
  await item(laptop.page, 'draft.txt').getByRole('button', { name: 'Rename' }).click();
  await item(laptop.page, 'draft.txt').getByLabel('New name').fill('final.txt');
  await item(laptop.page, 'draft.txt').getByRole('button', { name: 'Rename' }).click();
  await item(phone.page, 'final.txt').waitFor();
  // Escape closes the rename form and gives the focus back to its button.
  await item(phone.page, 'final.txt').getByRole('button', { name: 'Rename' }).click();
  await phone.page.keyboard.press('Escape');
  await item(phone.page, 'final.txt').getByLabel('New name').waitFor({ state: 'detached' });
  const focused = await phone.page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('aria-label');
  });
  assert.equal(focused, 'Rename');

  // Delete one item for everyone, after confirming.
  await item(phone.page, 'throw this away').getByRole('button', { name: 'Delete for everyone' }).click();
  await item(phone.page, 'throw this away').getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await item(laptop.page, 'throw this away').waitFor({ state: 'detached' });

  // Clear all, after confirming.
  await laptop.page.getByRole('button', { name: 'Clear all' }).click();
  await laptop.page.getByRole('dialog').getByRole('button', { name: 'Clear all' }).click();
  await phone.page.getByText('Nothing shared yet').waitFor();
  await laptop.page.getByText('Nothing shared yet').waitFor();
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});

test('a full session says so', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t, { MEMBERS_PER_SESSION: '1' });
  const laptop = await openDevice(t, browser, server.url);
  const credentials = await createSession(laptop.page, 'Laptop');
  const phone = await openDevice(t, browser, server.url);
  await submitJoin(phone.page, credentials, 'Phone');
  const alert = phone.page.locator('share-join-form[mode=join]').getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /session is full/);
});
