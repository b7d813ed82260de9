import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../testing/harness.ts';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { precompress } from '../../client/build.ts';
import { chooseEncoding, createStaticFiles } from './static-files.ts';
import type { StaticFilesOptions } from './static-files.ts';

/** Serves a directory holding app-ABCDEFGH.js, index.html and `more` files with the given options. */
async function serve(t: TestContext, options?: StaticFilesOptions, more: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'app-ABCDEFGH.js'), 'export {};\n');
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>\n');
  for (const [name, body] of Object.entries(more)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), body);
  }
  const files = createStaticFiles(dir, options);
  const server = createServer((req, res) => {
    void files.serve(req, res, new URL(req.url ?? '/', 'http://x').pathname).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('with CORS_ORIGIN "*", scripts may be loaded from any origin', async (t) => {
  const url = await serve(t, { corsOrigin: '*' });
  const res = await fetch(`${url}/app-ABCDEFGH.js`, { headers: { Origin: 'https://embedder.example' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
});

test('with a CORS_ORIGIN list, only listed origins are allowed, and caches vary by origin', async (t) => {
  const url = await serve(t, { corsOrigin: ['https://a.example', 'https://b.example'] });
  const allowed = await fetch(`${url}/app-ABCDEFGH.js`, { headers: { Origin: 'https://b.example' } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://b.example');
  assert.equal(allowed.headers.get('vary'), 'Origin');

  const other = await fetch(`${url}/app-ABCDEFGH.js`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('vary'), 'Origin');

  const revalidated = await fetch(`${url}/app-ABCDEFGH.js`, {
    headers: { Origin: 'https://a.example', 'If-None-Match': allowed.headers.get('etag')! },
  });
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.headers.get('access-control-allow-origin'), 'https://a.example');
});

test('pages never carry CORS headers, and nothing does without the option', async (t) => {
  const open = await serve(t, { corsOrigin: '*' });
  const page = await fetch(`${open}/`, { headers: { Origin: 'https://embedder.example' } });
  assert.equal(page.headers.get('access-control-allow-origin'), null);

  const closed = await serve(t);
  const script = await fetch(`${closed}/app-ABCDEFGH.js`, { headers: { Origin: 'https://embedder.example' } });
  assert.equal(script.headers.get('access-control-allow-origin'), null);
});

test('the service worker is revalidated on every load, the manifest has its type, and the page policy allows both', async (t) => {
  const url = await serve(t, undefined, { 'sw.js': 'self.addEventListener("fetch", () => {});\n', 'manifest.webmanifest': '{}\n' });
  const worker = await fetch(`${url}/sw.js`);
  assert.equal(worker.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(worker.headers.get('cache-control'), 'no-cache');
  const manifest = await fetch(`${url}/manifest.webmanifest`);
  assert.equal(manifest.headers.get('content-type'), 'application/manifest+json');

  const policy = (await fetch(`${url}/`)).headers.get('content-security-policy') ?? '';
  const directive = (name: string) => policy.split('; ').find((part) => part.startsWith(`${name} `))?.split(' ').slice(1) ?? [];
  assert.ok(directive('worker-src').includes("'self'"), policy);
  assert.ok(directive('manifest-src').includes("'self'"), policy);
});

test('a directory URL serves its index.html, as a page', async (t) => {
  const url = await serve(t, undefined, { 'demo/index.html': '<!doctype html><title>demo</title>\n' });
  const res = await fetch(`${url}/demo/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(await res.text(), /<title>demo<\/title>/);
});

test('a directory named without its slash is sent on to the URL with it, query kept', async (t) => {
  const url = await serve(t, undefined, { 'demo/index.html': '<!doctype html>\n' });
  const res = await fetch(`${url}/demo?x=1`, { redirect: 'manual' });
  assert.equal(res.status, 308);
  // Relative, so it also holds where the files are mounted under a prefix (/admin/).
  assert.equal(res.headers.get('location'), 'demo/?x=1');
  const followed = await fetch(`${url}/demo`);
  assert.equal(followed.status, 200);
  assert.equal(new URL(followed.url).pathname, '/demo/');
});

test('a directory without index.html, and a missing one, are not served', async (t) => {
  const url = await serve(t, undefined, { 'bare/file.txt': 'x\n' });
  for (const pathname of ['/bare/', '/bare', '/missing/', '/missing']) {
    assert.equal((await fetch(`${url}${pathname}`, { redirect: 'manual' })).status, 404, pathname);
  }
  assert.equal((await fetch(`${url}/bare/file.txt`)).status, 200);
});

/** A GET with exactly these request headers (fetch would add Accept-Encoding and decompress). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

const BUNDLE = `export const text = ${JSON.stringify('compressible '.repeat(500))};\n`;

/** A served directory whose bundle has the build's .br and .gz variants beside it. */
async function servePrecompressed(t: TestContext, options?: StaticFilesOptions): Promise<string> {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'app-ABCDEFGH.js'), BUNDLE);
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>\n');
  assert.equal(await precompress(dir), 2, 'a .br and a .gz of the bundle; index.html is too small to bother');
  const files = createStaticFiles(dir, options);
  const server = createServer((req, res) => {
    void files.serve(req, res, new URL(req.url ?? '/', 'http://x').pathname).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the build\'s brotli and gzip variants are sent to clients that accept them, each with its own ETag, varying on Accept-Encoding', async (t) => {
  const url = await servePrecompressed(t);
  const br = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), BUNDLE);
  assert.ok(br.body.byteLength < BUNDLE.length / 10, `${br.body.byteLength} bytes`);
  assert.equal(Number(br.headers['content-length']), br.body.byteLength);
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');

  const gz = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), BUNDLE);

  const plain = await rawGet(`${url}/app-ABCDEFGH.js`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), BUNDLE);
  assert.equal(plain.headers.vary, 'Accept-Encoding');
  assert.equal(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size, 3);

  const revalidated = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag! });
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.body.byteLength, 0);
  // Another representation's ETag does not match this one.
  assert.equal((await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'gzip', 'If-None-Match': br.headers.etag! })).status, 200);
});

test('an encoding refused with q=0 is not sent, and a page without variants does not vary', async (t) => {
  const url = await servePrecompressed(t);
  const res = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' });
  assert.equal(res.headers['content-encoding'], 'gzip');
  const none = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'identity' });
  assert.equal(none.headers['content-encoding'], undefined);
  const page = await rawGet(`${url}/`, { 'Accept-Encoding': 'br' });
  assert.equal(page.headers['content-encoding'], undefined);
  assert.equal(page.headers.vary, undefined);
  assert.equal(chooseEncoding('*', { br: true }), 'br');
  assert.equal(chooseEncoding('*, br;q=0', { br: true, gzip: true }), 'gzip');
});

test('with a CORS_ORIGIN list, a compressed script varies on both Accept-Encoding and Origin', async (t) => {
  const url = await servePrecompressed(t, { corsOrigin: ['https://a.example'] });
  const res = await rawGet(`${url}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'br', Origin: 'https://a.example' });
  assert.equal(res.headers['content-encoding'], 'br');
  assert.equal(res.headers.vary, 'Accept-Encoding, Origin');
  assert.equal(res.headers['access-control-allow-origin'], 'https://a.example');
});

test('a variant older than its file (left from an earlier build) is not served', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'app-ABCDEFGH.js');
  await writeFile(file, BUNDLE);
  await precompress(dir);
  const later = new Date(Date.now() + 10_000);
  await utimes(file, later, later);
  const files = createStaticFiles(dir);
  const server = createServer((req, res) => void files.serve(req, res, new URL(req.url ?? '/', 'http://x').pathname));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const res = await rawGet(`http://127.0.0.1:${(server.address() as AddressInfo).port}/app-ABCDEFGH.js`, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(res.body.toString(), BUNDLE);
});
