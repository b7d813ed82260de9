/**
 * The app page's own script (index.html only; pages embedding the elements
 * never load it): installs the service worker that makes the app installable,
 * opens it without the server and receives what other apps share. Browsers
 * refuse service workers on an untrusted (e.g. self-signed) certificate; the
 * app works the same without one, so a refusal is only mentioned.
 */
navigator.serviceWorker?.register('sw.js').catch((error: unknown) => {
  console.info('ShareThings runs without its service worker here (no offline start, no share target):', String(error));
});
