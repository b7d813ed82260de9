/**
 * The DeriveKeys the app gives ShareClient: PBKDF2 in a Worker
 * (workers/derive-keys.worker.ts), then the fast HKDF/Ed25519 step here.
 * A page on another origin cannot start a Worker from our URL directly, so
 * there the script is fetched (CORS) and started from a blob: URL. If no
 * Worker can be had at all (a strict Content-Security-Policy), the keys are
 * derived on the main thread: the same keys, a fraction of a second of jank.
 */
import { deriveSessionKeys, deriveSessionKeysFromMaster } from '../../protocol/crypto/index.ts';
import type { DeriveKeys } from '../sdk/index.ts';
import type { DeriveRequest, DeriveResponse } from '../workers/derive-keys.worker.ts';

let crossOriginScript: Promise<string> | undefined;

async function workerScriptUrl(url: URL): Promise<string> {
  if (url.origin === location.origin) return url.href;
  crossOriginScript ??= fetch(url, { mode: 'cors', credentials: 'omit' }).then(async (response) => {
    if (!response.ok) throw new Error(`worker script: HTTP ${response.status}`);
    return URL.createObjectURL(new Blob([await response.blob()], { type: 'text/javascript' }));
  });
  return crossOriginScript;
}

function runWorker(scriptUrl: string, request: DeriveRequest): Promise<Uint8Array> {
  const worker = new Worker(scriptUrl);
  return new Promise<Uint8Array>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<DeriveResponse>) => {
      if (event.data.ok) resolve(event.data.bits);
      else reject(new Error(event.data.message));
    };
    worker.onerror = (event) => {
      event.preventDefault(); // reported through the fallback, not the console
      reject(new Error('the key derivation worker failed to start'));
    };
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

export function createDeriveKeys(workerUrl: URL | undefined): DeriveKeys {
  return async (sessionId, passphrase) => {
    let bits: Uint8Array | undefined;
    if (workerUrl && typeof Worker === 'function') {
      try {
        bits = await runWorker(await workerScriptUrl(workerUrl), { sessionId, passphrase });
      } catch {
        bits = undefined;
      }
    }
    if (!bits) return deriveSessionKeys(sessionId, passphrase);
    try {
      return await deriveSessionKeysFromMaster(sessionId, bits);
    } finally {
      bits.fill(0);
    }
  };
}
