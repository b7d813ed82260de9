import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../testing/harness.ts';
import { createStaticFiles } from './static-files.ts';
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
