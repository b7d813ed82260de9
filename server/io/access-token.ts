/**
 * ACCESS_TOKEN: private deployments. The token is checked at the Engine.IO
 * handshake, before a session object exists (handshake-guard.ts), so it must
 * travel with the handshake request: the query parameter `accessToken` (what
 * the SDK and the web app send, as browsers' WebSocket cannot set headers) or
 * `Authorization: Bearer <token>`. At the connect step (middleware.ts)
 * Socket.IO's `auth: { accessToken }` is accepted too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `given` is the token; constant time (digests: no length leak). Always true without a token. */
export function accessTokenCheck(expected: string | undefined): (given: unknown) => boolean {
  if (expected === undefined) return () => true;
  const wanted = digest(expected);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), wanted);
}

/** The token a handshake request carries, if any: `?accessToken=` or `Authorization: Bearer`. */
export function requestToken(request: { url?: string | undefined; headers: IncomingHttpHeaders }): string | undefined {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('accessToken');
  if (query !== null) return query;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}
