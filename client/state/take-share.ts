/**
 * The page's side of the share target: takes the items the service worker
 * holds for `?share=<id>` (client/sw/share-target.ts), once, and removes the
 * parameter from the address so a reload does not ask again.
 */
import type { SharedItems, TakeShareReply, TakeShareRequest } from './shared-items.ts';

/** A service worker answers at once; without one (an address typed by hand) nothing ever would. */
const REPLY_TIMEOUT_MS = 5000;

/** The id in `?share=<id>`, now gone from the address; undefined when there is none. */
export function takeShareIdFromAddress(): string | undefined {
  const url = new URL(location.href);
  const id = url.searchParams.get('share');
  if (id === null) return undefined;
  url.searchParams.delete('share');
  history.replaceState(history.state, '', url.href);
  return id;
}

/** The items, or undefined when the service worker does not hold them (taken already, or it restarted). */
export async function takeSharedItems(id: string): Promise<SharedItems | undefined> {
  const worker = await serviceWorker();
  if (!worker) return undefined;
  const channel = new MessageChannel();
  const reply = new Promise<TakeShareReply | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), REPLY_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<TakeShareReply>) => {
      clearTimeout(timer);
      resolve(event.data);
    };
  });
  const request: TakeShareRequest = { type: 'take-share', id };
  worker.postMessage(request, [channel.port2]);
  const answer = await reply;
  channel.port1.close();
  return answer?.items;
}

async function serviceWorker(): Promise<ServiceWorker | undefined> {
  const container = globalThis.navigator?.serviceWorker;
  if (!container) return undefined;
  if (container.controller) return container.controller;
  const ready = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), REPLY_TIMEOUT_MS));
  return (await Promise.race([container.ready, ready]))?.active ?? undefined;
}
