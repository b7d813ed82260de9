/**
 * The SDK as a browser runs it: bundled by esbuild for the browser platform
 * (no Node built-ins may sneak in), in headless Chromium, talking to a Node
 * ShareClient through a real server, both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { requireDebianTool } from '../../server/ops/debian-tool.ts';
import { startServer, testKeys } from '../../server/testing/harness.ts';
import { ShareClient, type ReceivedItem } from './index.ts';

const sdkDir = path.dirname(fileURLToPath(import.meta.url));

async function browserBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { ShareClient } from './index.ts';
        import { deriveSessionKeys } from '../../protocol/crypto/index.ts';
        globalThis.SDK = { ShareClient, fastKeys: (s, p) => deriveSessionKeys(s, p, 1000) };`,
      resolveDir: sdkDir,
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const chromiumTool = requireDebianTool('chromium', 'chromium', '/usr/bin/chromium');

test('A browser and a Node client share files both ways', { skip: 'skip' in chromiumTool && chromiumTool.skip }, async (t) => {
  if (!('path' in chromiumTool)) return;
  const server = await startServer(t);
  const browser = await chromium.launch({ executablePath: chromiumTool.path, args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(`${server.url}/healthz`); // same origin as the server: a secure context for WebCrypto
  await page.addScriptTag({ content: await browserBundle() });

  const node = new ShareClient({ url: server.url, clientName: 'Node', deriveKeys: testKeys });
  t.after(() => node.close());
  await node.join('browser-room', 'test passphrase');
  const fromBrowser = new Promise<{ item: ReceivedItem; bytes: Uint8Array }>((resolve) =>
    node.on('content', async (item) => resolve({ item, bytes: await item.bytes() })),
  );
  const browserJoined = new Promise((resolve) => node.on('client-joined', resolve));
  const toBrowser = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));

  // In the page: join, share a Blob, and read what comes back through readable() and a Response.
  const inPage = page.evaluate(async (url) => {
    const { ShareClient, fastKeys } = (globalThis as unknown as { SDK: { ShareClient: typeof import('./index.ts').ShareClient; fastKeys: import('./index.ts').DeriveKeys } }).SDK;
    const client = new ShareClient({ url, clientName: 'Browser', deriveKeys: fastKeys });
    const received = new Promise<{ name: string; digest: string }>((resolve) =>
      client.on('content', async (item) => {
        const bytes = await new Response(item.readable()).arrayBuffer();
        const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('');
        resolve({ name: item.name, digest });
      }),
    );
    await client.join('browser-room', 'test passphrase');
    const blob = new Blob([new Uint8Array(1_000_000).fill(7)], { type: 'application/x-blob' });
    await client.shareFile(blob, { name: 'from-browser.bin', type: blob.type });
    return received;
  }, server.url);

  await browserJoined;
  const { item, bytes } = await fromBrowser;
  assert.equal(item.senderName, 'Browser');
  assert.equal(item.name, 'from-browser.bin');
  assert.equal(item.mimeType, 'application/x-blob');
  assert.equal(bytes.length, 1_000_000);
  assert.ok(bytes.every((b) => b === 7));

  await node.shareFile(toBrowser, { name: 'to-browser.bin', type: 'application/octet-stream' });
  const seen = await inPage;
  assert.deepEqual(seen, { name: 'to-browser.bin', digest: createHash('sha256').update(toBrowser).digest('hex') });
});
