/** Small helpers for writing HTTP responses with the headers every response carries. */
import type { ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** The headers of a JSON answer with no others, as a flat [name, value, ...] list built once. */
const JSON_HEADERS: readonly string[] = Object.entries({
  ...SECURITY_HEADERS,
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
}).flat();

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  let extra = false;
  for (const _ in headers) {
    extra = true;
    break;
  }
  if (!extra) {
    res.writeHead(status, [...JSON_HEADERS, 'Content-Length', String(Buffer.byteLength(payload))]);
    res.end(res.req.method === 'HEAD' ? undefined : payload);
    return;
  }
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export function sendNotFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'Not found', code: 'NOT_FOUND' });
}
