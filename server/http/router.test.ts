import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'node:http';
import { PROJECT_ROOT, startServer } from '../testing/harness.ts';

test('/embed-demo/, linked from the README, serves the embedding example', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/embed-demo`);
  assert.equal(res.status, 200);
  assert.equal(new URL(res.url).pathname, '/embed-demo/');
  assert.match(await res.text(), /<share-app[\s>]/);
});

test('/healthz answers 200 JSON with counts', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.status, 'ok');
  assert.equal(body.connections, 0);
  assert.equal(body.sessions, 0);
});

test('/ serves the built client page with a content security policy', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const html = await res.text();
  assert.match(html, /<share-app[\s>]/);
  const script = /src="\.\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'index.html names the hashed bundle');

  const js = await fetch(`${server.url}/${script}`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const etag = js.headers.get('etag')!;
  const again = await fetch(`${server.url}/${script}`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});

test('the bundle on disk is what / names', async () => {
  const files = await readdir(path.join(PROJECT_ROOT, 'dist', 'client'));
  assert.ok(files.some((file) => /^app-[A-Z0-9]+\.js$/.test(file)));
  assert.ok(files.some((file) => /^app-[A-Z0-9]+\.js\.map$/.test(file)));
});

test('unknown paths answer a JSON 404', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/nope`);
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: 'Not found', code: 'NOT_FOUND' });
});

test('paths that try to leave the client directory are not served', async (t) => {
  const server = await startServer(t);
  // fetch normalises "..", so send the raw paths with node:http.
  for (const raw of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.hidden', '/%00', '/%E0%A4%A']) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: raw }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404, raw);
  }
});

test('methods other than GET and HEAD answer 405', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/healthz`, { method: 'POST' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
});
