/** Helpers for the browser tests of the service worker (installable.e2e.test.ts, share-target.e2e.test.ts). */
import type { Page } from 'playwright-core';

/** Resolves once the service worker is active and controls the page (it claims open pages on activation). */
export async function untilControlled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  });
}
