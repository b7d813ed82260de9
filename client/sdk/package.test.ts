/**
 * The npm package as another project gets it: built (client/package/build.ts),
 * packed, installed from the tarball into a folder outside the repository
 * (offline: from npm's cache), then used there by a plain `.mjs` script (the
 * README's example, examples/share.mjs) and by a `.ts` script run with tsx in
 * a CommonJS folder (what `npm init -y` makes), both importing 'sharethings/sdk'
 * and sharing with a client of this repository through a real server; the
 * declarations checked by tsc there; the command-line client run from it.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildPackage, packPackage } from '../package/build.ts';
import { CLI_ENTRY } from '../package/bundles.ts';
import { PROJECT_ROOT, startServer } from '../../server/testing/harness.ts';
import { ShareClient } from './index.ts';
import type { ReceivedItem } from './index.ts';

const run = promisify(execFile);
const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

/** The consumer's npm must not inherit the settings npx gave this process (its prefix is this repository). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

/** The `.ts` twin of examples/share.mjs: no top-level await, as a CommonJS module cannot have one. */
const SHARE_TS = `import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { ShareClient, type ShareClientOptions } from 'sharethings/sdk';

async function main([url, sessionId, passphrase, text, file]: string[]): Promise<void> {
  const options: ShareClientOptions = { url: url!, clientName: 'share.ts' };
  const client = new ShareClient(options);
  try {
    await client.join(sessionId!, passphrase!);
    await client.shareText(text!);
    await client.shareFile(await openAsBlob(file!), { name: basename(file!), type: 'application/octet-stream' });
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** Misuse the declarations must reject: proof that they are types, not `any`. */
const MISUSE_TS = `import { ShareClient } from 'sharethings/sdk';
new ShareClient({ url: 'http://localhost:3000', clientName: 'x' }).shareText(42);
`;

let consumer = '';

before(async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'sharethings-package-'));
  const packageDir = path.join(work, 'package');
  await buildPackage(packageDir);
  const tarball = await packPackage(packageDir, work);
  consumer = path.join(work, 'consumer');
  await mkdir(consumer);
  const npm = { cwd: consumer, env: cleanEnv };
  await run('npm', ['init', '-y'], npm);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], npm);
  await cp(path.join(PROJECT_ROOT, 'client', 'sdk', 'examples', 'share.mjs'), path.join(consumer, 'share.mjs'));
  await writeFile(path.join(consumer, 'share.ts'), SHARE_TS);
  await writeFile(path.join(consumer, 'misuse.ts'), MISUSE_TS);
});
after(() => rm(path.dirname(consumer), { recursive: true, force: true }));

/** Runs `command` in the consumer folder to share `text` and `file`; resolves with what a member here received. */
async function shareThrough(t: TestContext, command: string[], label: string) {
  const server = await startServer(t);
  const sessionId = `package-${label}`;
  const passphrase = 'correct horse battery staple';
  const receiver = new ShareClient({ url: server.url, clientName: 'receiver' });
  t.after(() => receiver.close());
  await receiver.join(sessionId, passphrase);
  const items: ReceivedItem[] = [];
  const two = new Promise<ReceivedItem[]>((resolve) => {
    receiver.on('content', (item) => {
      if (items.push(item) === 2) resolve(items);
    });
  });

  const bytes = randomBytes(300 * 1024 + 7); // more than one 256 KiB chunk
  const file = path.join(consumer, `${label}.bin`);
  await writeFile(file, bytes);
  const text = `Hello from ${label}`;
  const [program, ...args] = command;
  await run(program!, [...args, server.url, sessionId, passphrase, text, file], { cwd: consumer, env: cleanEnv, timeout: 60_000 });

  const [first, second] = await two;
  return { text, digest: createHash('sha256').update(bytes).digest('hex'), first: first!, second: second! };
}

test('a plain .mjs script shares a text and a file through the installed package', async (t) => {
  const { text, digest, first, second } = await shareThrough(t, ['node', 'share.mjs'], 'mjs');
  assert.equal(await first.text(), text);
  assert.equal(second.name, 'mjs.bin');
  assert.equal(createHash('sha256').update(await second.bytes()).digest('hex'), digest);
});

test('a .ts script in a CommonJS folder, run with tsx, shares a text and a file', async (t) => {
  assert.equal(JSON.parse(await readFile(path.join(consumer, 'package.json'), 'utf8')).type, 'commonjs');
  const { text, digest, first, second } = await shareThrough(t, [bin('tsx'), 'share.ts'], 'ts');
  assert.equal(await first.text(), text);
  assert.equal(createHash('sha256').update(await second.bytes()).digest('hex'), digest);
});

test('the declarations type-check a consumer and reject a wrong call', async () => {
  // skipLibCheck off: every declaration the package ships (and what they import) must resolve.
  const tsc = (file: string) =>
    run(bin('tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--module', 'preserve', '--moduleResolution', 'bundler',
      '--types', 'node', '--typeRoots', path.join(PROJECT_ROOT, 'node_modules', '@types'), file], { cwd: consumer });
  await tsc('share.ts');
  const misuse = await tsc('misuse.ts').then(() => '', (error: { stdout: string }) => error.stdout);
  assert.match(misuse, /misuse\.ts\(2,\d+\): error TS2345/);
});

test('the browser build holds neither ws nor any node: module; the Node build bundles ws', async () => {
  const installed = path.join(consumer, 'node_modules', 'sharethings', 'sdk');
  const browser = await readFile(path.join(installed, 'browser.js'), 'utf8');
  assert.doesNotMatch(browser, /["']node:|Sec-WebSocket-Key/);
  assert.match(await readFile(path.join(installed, 'node.js'), 'utf8'), /Sec-WebSocket-Key/);
});

test('the command-line client runs from the installed package', { skip: !existsSync(CLI_ENTRY) && 'client/cli/main.ts does not exist yet' }, async () => {
  const { stdout } = await run(path.join(consumer, 'node_modules', '.bin', 'sharethings'), ['--help'], { cwd: consumer, env: cleanEnv });
  assert.match(stdout, /Usage: sharethings/);
});
