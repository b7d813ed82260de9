/**
 * A long-running node keeps a valid certificate: once a day it loads it again
 * (the self-signed one is made anew 30 days before it expires; the operator's
 * files may have been renewed, e.g. by certbot) and, when it changed, serves
 * the new one to new connections without a restart.
 */
import type { Server as TlsServer } from 'node:tls';
import type { TlsMaterial } from './local-certificate.ts';

export const RENEWAL_CHECK_MS = 24 * 3600_000;

export function renewPeriodically(
  server: TlsServer,
  served: TlsMaterial,
  hooks: { load(): Promise<TlsMaterial>; renewed(material: TlsMaterial): void; failed(error: unknown): void },
  everyMs = RENEWAL_CHECK_MS,
): () => void {
  let current = served.fingerprint;
  const check = async () => {
    const material = await hooks.load();
    if (material.fingerprint === current) return;
    current = material.fingerprint;
    server.setSecureContext({ cert: material.cert, key: material.key });
    hooks.renewed(material);
  };
  const timer = setInterval(() => void check().catch(hooks.failed), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
