/**
 * CLI to CLI through a real pipe: `tar c DIR | sharethings send - --name
 * dir.tar --wait` in one process, `sharethings receive` in another; every
 * file of the extracted archive has its original SHA-256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { listFiles, sha256File, startCli } from './test-helpers.ts';

test('a tar stream piped into send arrives through receive with every file intact', async (t) => {
  const server = await startServer(t);
  const work = await tempDir(t);
  const source = path.join(work, 'project');
  await mkdir(path.join(source, 'src', 'deep'), { recursive: true });
  await writeFile(path.join(source, 'README.md'), '# hello\n');
  await writeFile(path.join(source, 'src', 'data.bin'), randomBytes(3 * 1024 * 1024 + 17));
  await writeFile(path.join(source, 'src', 'deep', 'empty'), '');
  await writeFile(path.join(source, 'src', 'deep', 'notes ü.txt'), randomBytes(1000).toString('base64'));
  const env = { SHARETHINGS_SERVER: server.url, SHARETHINGS_PASSPHRASE: 'correct horse battery staple' };

  // tar writes into an OS pipe that is the sender's stdin.
  const tar = spawn('tar', ['c', '-C', source, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tarExited = once(tar, 'exit').then(([code]) => code);
  const sender = startCli(t, ['send', '-', '--name', 'dir.tar', '--session', 'pipe-test', '--wait', '--json'], { env, stdio: [tar.stdout!, 'pipe', 'pipe'] });
  assert.equal((await sender.event('waiting')).event, 'waiting');

  const out = path.join(work, 'out');
  const receiver = startCli(t, ['receive', 'pipe-test', '--out', out, '--json'], { env });
  const [tarCode, sendCode, receiveCode] = await Promise.all([tarExited, sender.exited, receiver.exited]);
  assert.deepEqual([tarCode, sendCode, receiveCode], [0, 0, 0], `${sender.stderr()}\n${receiver.stderr()}`);
  const shared = await sender.event('shared');
  const saved = await receiver.event('saved');
  assert.equal(saved.contentId, shared.contentId);
  assert.equal(saved.path, path.join(out, 'dir.tar'));
  assert.deepEqual(await readdir(out), ['dir.tar']);

  const extracted = path.join(work, 'extracted');
  await mkdir(extracted);
  const untar = spawn('tar', ['x', '-C', extracted, '-f', path.join(out, 'dir.tar')], { stdio: 'inherit' });
  assert.equal((await once(untar, 'exit'))[0], 0);
  const files = await listFiles(source);
  assert.deepEqual(await listFiles(extracted), files);
  assert.equal(files.length, 4);
  for (const file of files) assert.equal(await sha256File(path.join(extracted, file)), await sha256File(path.join(source, file)), file);
});
