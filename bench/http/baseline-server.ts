/**
 * The HTTP baseline for bench/http.ts: a bare node:http server answering each
 * target with the bytes and headers captured from the real server (bodies
 * held in memory, no routing beyond a Map lookup). The Engine.IO handshake
 * answer gets a fresh random sid per request, like Engine.IO's. A response
 * captured for a request accepting brotli is answered to requests that do
 * (routeKey), as a server with precompressed files would.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { childOptions, sendReady } from '../lib/child.ts';
import { routeKey } from './route-key.ts';

export interface CapturedResponse {
  status: number;
  headers: Array<[string, string]>;
  bodyBase64: string;
  /** Replace the `"sid":"..."` value with a fresh id per request. */
  freshSid: boolean;
}

export interface BaselineSpec {
  /** Keyed by routeKey(). */
  routes: Record<string, CapturedResponse>;
}

interface Route {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
  /** For freshSid: the body split around the sid value. */
  sidParts?: [string, string];
}

const { specFile } = childOptions<{ specFile: string }>();
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as BaselineSpec;
const routes = new Map<string, Route>();
for (const [pathname, captured] of Object.entries(spec.routes)) {
  const body = Buffer.from(captured.bodyBase64, 'base64');
  const route: Route = { status: captured.status, headers: captured.headers, body };
  if (captured.freshSid) {
    const text = body.toString('utf8');
    const match = /"sid":"([^"]*)"/.exec(text);
    if (match) route.sidParts = [text.slice(0, match.index + 7), text.slice(match.index + 7 + match[1]!.length)];
  }
  routes.set(pathname, route);
}

const notFound = Buffer.from('{"error":"Not found","code":"NOT_FOUND"}');

const server = createServer((req, res) => {
  const route = routes.get(routeKey(req.url ?? '/', req.headers['accept-encoding']));
  if (!route) {
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': notFound.length });
    res.end(notFound);
    return;
  }
  const body = route.sidParts ? Buffer.from(`${route.sidParts[0]}${randomBytes(15).toString('base64url')}${route.sidParts[1]}`) : route.body;
  const headers: Array<[string, string]> = [...route.headers, ['Content-Length', String(body.length)]];
  res.writeHead(route.status, headers.flat());
  res.end(body);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  void sendReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
