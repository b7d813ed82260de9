/// <reference lib="webworker" />
/**
 * The manifest's share_target in the service worker: another app's POST to
 * /share-target never reaches the server (which must never see plaintext).
 * Its items are kept here, in memory, under a random id; the page that the
 * 303 opens (`/?share=<id>`) takes them with a message, once.
 */
import { registerRoute } from 'workbox-routing';
import { sharedItemsFromForm, type SharedItems, type TakeShareReply } from '../state/shared-items.ts';

declare const self: ServiceWorkerGlobalScope;

export const SHARE_TARGET_PATH = '/share-target';

export function registerShareTarget(): void {
  const held = new Map<string, SharedItems>();

  registerRoute(
    ({ url, sameOrigin }) => sameOrigin && url.pathname === SHARE_TARGET_PATH,
    async ({ request }) => {
      const target = new URL('/', self.location.href);
      try {
        const id = crypto.randomUUID();
        held.set(id, sharedItemsFromForm(await request.formData()));
        target.searchParams.set('share', id);
      } catch {
        // An unreadable form shares nothing; the app still opens.
      }
      return Response.redirect(target.href, 303);
    },
    'POST',
  );

  self.addEventListener('message', (event) => {
    const { data } = event;
    const port = event.ports[0];
    if (data?.type !== 'take-share' || typeof data.id !== 'string' || !port) return;
    const reply: TakeShareReply = { items: held.get(data.id) };
    held.delete(data.id);
    port.postMessage(reply);
  });
}
