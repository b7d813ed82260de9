/**
 * Accessibility in the browser: axe-core finds nothing serious or critical on
 * the start page and on a session with "Add a device" open, on a phone and a
 * desktop, light and dark; the session view has a main landmark and a
 * heading; after a reload the offer to rejoin says so in words and puts the
 * focus on the passphrase.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { startServer } from '../../server/testing/harness.ts';
import { createSession, joinSession, openDevice, shareText, textItems, useChromium } from './browser.ts';

const chromium = useChromium();
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Without motion, colors are final when axe measures contrast; past the CSP, axe-core can be injected. */
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', bypassCSP: true };
const PHONE: BrowserContextOptions = { ...DESKTOP, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

interface Finding {
  id: string;
  impact: string;
  targets: string[];
}

/**
 * axe-core's serious and critical findings on the page as it is, in the given
 * color scheme: violations, and what it leaves for review except contrast it
 * could not measure (a `code` with an aria-label is "review": screen readers
 * may drop the name).
 */
async function seriousViolations(page: Page, scheme: 'light' | 'dark'): Promise<Finding[]> {
  await page.emulateMedia({ colorScheme: scheme });
  // Colors are measured once every finite animation (items and members fading in) has ended,
  // in the document and in every shadow root (document.getAnimations() leaves those out).
  await page.evaluate(() => {
    const roots: Array<Document | ShadowRoot> = [document];
    for (let i = 0; i < roots.length; i++) {
      for (const element of roots[i]!.querySelectorAll('*')) if (element.shadowRoot) roots.push(element.shadowRoot);
    }
    return Promise.all(
      roots
        .flatMap((root) => root.getAnimations())
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished),
    );
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    type Result = { id: string; impact?: string | null; nodes: Array<{ target: unknown }> };
    type Results = { violations: Result[]; incomplete: Result[] };
    const axe = (window as unknown as { axe: { run(context: Node, options: object): Promise<Results> } }).axe;
    const { violations, incomplete } = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    return [...violations, ...incomplete.filter((review) => review.id !== 'color-contrast')]
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? '',
        targets: violation.nodes.map((node) => JSON.stringify(node.target)),
      }));
  });
}

function report(findings: Finding[]): string {
  return findings.map((f) => `${f.id} (${f.impact}): ${f.targets.join(' | ')}`).join('\n');
}

/** Every scheme's findings, labelled with where they were found. */
async function auditBothSchemes(page: Page, where: string): Promise<string[]> {
  const problems: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    const findings = await seriousViolations(page, scheme);
    if (findings.length > 0) problems.push(`${where}, ${scheme}:\n${report(findings)}`);
  }
  return problems;
}

test('the start page has no serious or critical axe violations on a phone and a desktop, light and dark', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t);
  const problems: string[] = [];
  for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const device = await openDevice(t, browser, server.url, options);
    await device.page.getByRole('button', { name: 'Start session' }).waitFor();
    problems.push(...(await auditBothSchemes(device.page, `start page, ${size}, New session`)));
    await device.page.getByRole('tab', { name: 'Join' }).click();
    await device.page.getByRole('button', { name: 'Join session' }).waitFor();
    problems.push(...(await auditBothSchemes(device.page, `start page, ${size}, Join`)));
  }
  assert.equal(problems.join('\n\n'), '');
});

test('a session with "Add a device" open has no serious or critical axe violations, a main landmark and a heading', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url, DESKTOP);
  const phone = await openDevice(t, browser, server.url, PHONE);
  const credentials = await createSession(laptop.page, 'Laptop');
  await joinSession(phone.page, credentials, 'Phone');
  await shareText(laptop.page, 'Room 4B at 14:30');
  await textItems(phone.page).getByText('Room 4B').waitFor();

  const problems: string[] = [];
  for (const [size, page] of [['desktop', laptop.page], ['phone', phone.page]] as const) {
    const main = page.getByRole('main', { name: 'Shared items' });
    assert.equal(await main.count(), 1, `${size}: one main landmark`);
    assert.ok(await main.getByLabel('Text to share').isVisible(), `${size}: the composer is in the main landmark`);
    assert.equal(await page.getByRole('heading', { level: 1, name: `Session ${credentials.sessionId}` }).count(), 1, `${size}: heading`);

    // Open on a desktop from the start, closed on a phone.
    if (!(await page.locator('details.invite').evaluate((details: HTMLDetailsElement) => details.open))) {
      await page.getByText('Add a device').click();
    }
    await page.locator('share-invite share-qr-code').waitFor();
    problems.push(...(await auditBothSchemes(page, `session, ${size}, Add a device open`)));
  }
  assert.equal(problems.join('\n\n'), '');
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});

test('after a reload the start page says which session to rejoin and puts the focus on the passphrase', async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  const server = await startServer(t);
  const laptop = await openDevice(t, browser, server.url, DESKTOP);
  const { sessionId } = await createSession(laptop.page, 'Laptop');

  await laptop.page.reload();
  const offer = laptop.page.getByText(`Enter the passphrase to rejoin session ${sessionId}.`);
  await offer.waitFor();
  assert.ok(await offer.isVisible());
  const passphrase = laptop.page.locator('share-join-form[mode=join]').getByLabel('Passphrase', { exact: true });
  // The focus is put there in the same update that shows the offer.
  const hasFocus = (input: Element) => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active === input;
  };
  assert.equal(await passphrase.evaluate(hasFocus), true, 'the passphrase field has the keyboard focus');
  assert.equal(await passphrase.getAttribute('aria-describedby'), 'rejoin', 'the field is described by the offer');
  assert.deepEqual(laptop.realErrors(), []);
});
