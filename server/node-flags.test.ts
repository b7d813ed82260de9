import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SERVER_NODE_FLAGS } from './node-flags.ts';

const root = new URL('../', import.meta.url);

test('npm start and make run start the server with its Node flags', async () => {
  const { scripts } = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: { start: string } };
  const makefile = await readFile(new URL('Makefile', root), 'utf8');
  const runRecipe = /^run:.*\n\t(.*)$/m.exec(makefile)?.[1] ?? '';
  for (const launcher of [scripts.start, runRecipe]) {
    assert.match(launcher, /server\/main\.ts/);
    for (const flag of SERVER_NODE_FLAGS) assert.ok(launcher.split(' ').includes(flag), `${flag} missing from: ${launcher}`);
  }
});
