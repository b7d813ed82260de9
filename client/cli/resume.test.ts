/**
 * An interrupted download continues where it stopped: the first run is
 * interrupted mid-item and keeps its partial file, the second fetches only
 * the rest. And the exit codes a script relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ShareClient } from '../sdk/index.ts';
import { nodeTransports } from '../sdk/node-websocket.ts';
import { MiB, heldBlob, randomData, sha256 } from '../sdk/test-helpers.ts';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { runCli, sha256File, startCli } from './test-helpers.ts';

const PASSPHRASE = 'resume test passphrase';

async function sender(t: Parameters<typeof startServer>[0], url: string, sessionId: string): Promise<ShareClient> {
  const client = new ShareClient({ url, clientName: 'Sender', socketOptions: { transports: nodeTransports } });
  t.after(() => client.close());
  await client.join(sessionId, PASSPHRASE);
  return client;
}

test('a download interrupted with Ctrl-C keeps its .part file, and the next run completes it from there', async (t) => {
  const server = await startServer(t);
  const env = { SHARETHINGS_SERVER: server.url, SHARETHINGS_PASSPHRASE: PASSPHRASE };
  const client = await sender(t, server.url, 'resume');
  const data = randomData(10 * MiB + 1234);
  // The server gets the first 4 MiB at once (one slab: a Blob is read 4 MiB at a time), the rest only once released:
  // the first run is certainly midway.
  const { blob, release } = heldBlob(data, 4 * MiB);
  const share = client.shareFile(blob, { name: 'video.bin', type: 'application/octet-stream' });
  const out = await tempDir(t);

  const first = startCli(t, ['receive', 'resume', '--out', out, '--json'], { env });
  await first.event('progress', (event) => Number(event.bytes) > 0);
  first.child.kill('SIGINT');
  assert.equal(await first.exited, 130);
  assert.equal((await first.event('error')).code, 'INTERRUPTED');
  const parts = (await readdir(out)).filter((name) => name.endsWith('.part'));
  assert.equal(parts.length, 1);
  assert.match(parts[0]!, new RegExp(`^\\.video\\.bin\\.${share.contentId}\\.part$`, 'u'));
  const kept = (await stat(path.join(out, parts[0]!))).size;
  assert.ok(kept > 0 && kept <= 4 * MiB, `kept ${kept} bytes`);

  release();
  await share;
  const second = await runCli(t, ['receive', 'resume', '--out', out, '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  const saved = second.events.find((event) => event.event === 'saved')!;
  assert.equal(saved.resumedFrom, kept);
  assert.equal(saved.size, data.length);
  assert.deepEqual(await readdir(out), ['video.bin']);
  assert.equal(await sha256File(path.join(out, 'video.bin')), sha256(data));
});

test('a wrong passphrase exits 3, an unknown session 4, an unreachable server 5, a bad command line 2', async (t) => {
  const server = await startServer(t);
  await sender(t, server.url, 'exists');
  const env = { SHARETHINGS_SERVER: server.url };
  const out = await tempDir(t);

  const wrong = await runCli(t, ['receive', 'exists', '--out', out, '--json'], { ...env, SHARETHINGS_PASSPHRASE: 'not the passphrase' });
  assert.equal(wrong.code, 3);
  assert.deepEqual(wrong.events.at(-1), { event: 'error', code: 'UNAUTHORIZED', exitCode: 3, message: wrong.events.at(-1)!.message });
  assert.match(String(wrong.events.at(-1)!.message), /Wrong passphrase/u);

  const missing = await runCli(t, ['receive', 'no-such-session', '--out', out], { ...env, SHARETHINGS_PASSPHRASE: PASSPHRASE });
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /^sharethings: There is no session with this id/mu);

  // A port nothing listens on any more.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const started = Date.now();
  const unreachable = await runCli(t, ['receive', 'exists', '--server', `http://127.0.0.1:${port}`, '--out', out], { SHARETHINGS_PASSPHRASE: PASSPHRASE });
  assert.equal(unreachable.code, 5);
  assert.match(unreachable.stderr, new RegExp(`Cannot reach the server at http://127\\.0\\.0\\.1:${port}`, 'u'));
  assert.ok(Date.now() - started < 10_000, 'said at the first refused connection');

  const file = path.join(out, 'a.txt');
  await writeFile(file, 'a');
  assert.equal((await runCli(t, ['send', file, '--bogus'], env)).code, 2);
  const absent = await runCli(t, ['send', path.join(out, 'absent.txt')], env);
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /absent\.txt: no such file/u);
  // Nothing was written by the failed runs but the file this test made.
  assert.deepEqual(await readdir(out), ['a.txt']);
});
