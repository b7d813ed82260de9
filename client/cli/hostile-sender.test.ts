/**
 * A hostile sender (the SDK used directly) names its files to escape the
 * output folder, hide, or name devices; `receive --out` keeps every file
 * inside the folder under a sanitised name and never overwrites one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ShareClient } from '../sdk/index.ts';
import { nodeTransports } from '../sdk/node-websocket.ts';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { listFiles, runCli } from './test-helpers.ts';

const PASSPHRASE = 'hostile sender test passphrase';

test('files named to escape --out are saved inside it, sanitised, and a duplicate name gets " (1)"', async (t) => {
  const server = await startServer(t);
  const sender = new ShareClient({ url: server.url, clientName: 'Mallory', socketOptions: { transports: nodeTransports } });
  t.after(() => sender.close());
  await sender.join('hostile', PASSPHRASE);
  const long = `${'x'.repeat(296)}.txt`;
  const shared: Array<[string, string]> = [
    ['../escape.txt', 'escape.txt'],
    ['/etc/passwd', 'passwd'],
    ['..\\win.txt', 'win.txt'],
    ['CON', '_CON'],
    ['a\u0000b', 'a\uFFFDb'], // the SDK already turns control characters into U+FFFD
    ['.bashrc', 'bashrc'],
    [long, `${'x'.repeat(196)}.txt`],
    ['same.txt', 'same.txt'],
    ['same.txt', 'same (1).txt'],
  ];
  const expected = new Map<string, string>();
  for (const [index, [name, savedAs]] of shared.entries()) {
    const body = `item ${index}: ${name}\n`;
    await sender.shareFile(new TextEncoder().encode(body), { name, type: 'text/plain' });
    expected.set(savedAs, body);
  }

  // --out inside a parent of its own: nothing may appear in the parent (or above) but --out.
  const parent = await tempDir(t);
  const out = path.join(parent, 'out');
  await mkdir(out);
  const { code, events, stderr } = await runCli(t, ['receive', 'hostile', '--out', out, '--json'], {
    SHARETHINGS_SERVER: server.url,
    SHARETHINGS_PASSPHRASE: PASSPHRASE,
  });
  assert.equal(code, 0, stderr);
  assert.deepEqual(await listFiles(parent), [...expected.keys()].map((name) => path.join('out', name)).sort());
  for (const [name, body] of expected) assert.equal(await readFile(path.join(out, name), 'utf8'), body, name);
  // The events name the same paths, all inside --out.
  const saved = events.filter((event) => event.event === 'saved').map((event) => String(event.path));
  assert.equal(saved.length, shared.length);
  for (const file of saved) assert.equal(path.dirname(file), out);
});
