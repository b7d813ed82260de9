import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { PROJECT_ROOT } from '../testing/harness.ts';

const SCRIPT = path.join(PROJECT_ROOT, 'server', 'ops', 'admin-password.ts');
const HASH = /\$2[aby]\$12\$[./A-Za-z0-9]{53}/;

function piped(input: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: PROJECT_ROOT, input, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a password piped in is printed as a bcrypt hash of exactly that line', () => {
  const { code, stdout } = piped('correct horse battery\nsecond line ignored\n');
  assert.equal(code, 0);
  const hash = stdout.trim();
  assert.match(hash, HASH);
  assert.ok(bcrypt.compareSync('correct horse battery', hash));
  assert.ok(!bcrypt.compareSync('correct horse battery\nsecond line ignored', hash));
});

test('an empty password is refused with a message and no hash', () => {
  for (const input of ['', '\n']) {
    const { code, stdout, stderr } = piped(input);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /empty password/i);
  }
});

test('a password bcrypt would cut short is refused', () => {
  const { code, stderr } = piped(`${'x'.repeat(73)}\n`);
  assert.equal(code, 2);
  assert.match(stderr, /72 bytes/);
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the script on a pseudo-terminal (util-linux `script`), typing each answer after its prompt. */
async function inTerminal(answers: string[]): Promise<{ code: number | null; output: string }> {
  const command = `${process.execPath} --import tsx ${SCRIPT}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let prompts = 0;
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
    const seen = (output.match(/Admin password: |Again: /g) ?? []).length;
    while (prompts < seen && prompts < answers.length) child.stdin.write(answers[prompts++]!);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  child.stdin.destroy();
  return { code, output };
}

test('in a terminal it prompts, echoes nothing, handles Backspace, ends on Enter and asks twice', { skip: !hasScript && 'util-linux `script` is not installed' }, async () => {
  // "hunter3", Backspace, "2", Enter; then the same again.
  const { code, output } = await inTerminal(['hunter3\u007f2\r', 'hunter2\r']);
  assert.equal(code, 0, output);
  assert.match(output, /Admin password: /);
  assert.match(output, /Again: /);
  assert.doesNotMatch(output, /hunter/);
  const hash = output.match(HASH)?.[0];
  assert.ok(hash, output);
  assert.ok(bcrypt.compareSync('hunter2', hash));
});

test('in a terminal two different answers print no hash', { skip: !hasScript && 'util-linux `script` is not installed' }, async () => {
  const { code, output } = await inTerminal(['one password\r', 'another\r']);
  assert.equal(code, 2);
  assert.match(output, /differ/);
  assert.doesNotMatch(output, HASH);
});

test('in a terminal an empty answer is refused at once', { skip: !hasScript && 'util-linux `script` is not installed' }, async () => {
  const { code, output } = await inTerminal(['\r']);
  assert.equal(code, 2);
  assert.match(output, /empty password/i);
  assert.doesNotMatch(output, /Again: /);
});
