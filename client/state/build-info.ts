/**
 * Where this bundle was loaded from. The build (client/build.ts) replaces
 * DERIVE_KEYS_WORKER with the hashed file name of the key-derivation worker.
 */
declare const DERIVE_KEYS_WORKER: string;

/** The bundle's own URL: relative assets (the worker) and the default server are found from it. */
export const BUNDLE_URL = import.meta.url;

export function deriveKeysWorkerUrl(): URL | undefined {
  return typeof DERIVE_KEYS_WORKER === 'string' ? new URL(DERIVE_KEYS_WORKER, BUNDLE_URL) : undefined;
}

/** The server an element talks to when it has no `server` attribute: the one that served the bundle. */
export function defaultServer(): string {
  try {
    const url = new URL(BUNDLE_URL);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : location.origin;
  } catch {
    return location.origin;
  }
}
