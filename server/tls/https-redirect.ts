/**
 * Plain HTTP at a name other than localhost is a dead end in a browser (no
 * WebCrypto outside a secure context), so page requests there are sent to
 * the HTTPS port. Loopback stays on HTTP (a secure context already), and so
 * do the probes and metrics that monitoring sends over plain HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

const LOOPBACK_HOST = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
const NEVER_REDIRECTED = new Set(['/healthz', '/readyz', '/metrics']);

/** The HTTPS address for this request, or undefined when it stays on HTTP. */
export function httpsLocation(req: IncomingMessage, httpsPort: number): string | undefined {
  if ((req.socket as TLSSocket).encrypted || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  } catch {
    return undefined;
  }
  if (LOOPBACK_HOST.test(url.hostname) || NEVER_REDIRECTED.has(url.pathname)) return undefined;
  url.protocol = 'https:';
  url.port = httpsPort === 443 ? '' : String(httpsPort);
  return url.href;
}

export function redirectToHttps(req: IncomingMessage, res: ServerResponse, httpsPort: number): boolean {
  const location = httpsLocation(req, httpsPort);
  if (!location) return false;
  // Temporary: HTTPS may be turned off later, and a cached permanent redirect would then lead nowhere.
  res.writeHead(307, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
  return true;
}
