/// <reference lib="webworker" />
/**
 * The service worker, built by client/build.ts into dist/client/sw.js. It
 * precaches the app shell (the build lists its files) and answers page
 * navigations with the cached index.html, so the app opens without the
 * server; it takes what other apps share (share-target.ts) and streams
 * downloads the page feeds it (stream-download.ts). Nothing is cached at run
 * time (decrypted bytes least of all): Socket.IO, /healthz, /metrics, /admin and every
 * request not listed here go to the network untouched.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { registerShareTarget } from './share-target.ts';
import { registerStreamDownload } from './stream-download.ts';

declare const self: ServiceWorkerGlobalScope;
/** The shell's files and revisions, written in by the build. */
declare const PRECACHE_MANIFEST: PrecacheEntry[];

// The shell is hashed files and a revisioned index.html: a new version can take over open pages at once.
self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();

registerStreamDownload(); // before the precache and navigation routes: its URLs are never cached
precacheAndRoute(PRECACHE_MANIFEST);
cleanupOutdatedCaches();
// Only the app's page (with any query, e.g. ?share=); the server's other pages (/admin/, /embed-demo/) stay its own.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { allowlist: [/^\/(index\.html)?(\?.*)?$/] }));
registerShareTarget();
