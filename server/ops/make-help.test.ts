import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../testing/harness.ts';

/** `make help`'s lines as [target, column where the description starts]. */
function helpColumns(extraMakefile?: string): Array<[string, number]> {
  const files = extraMakefile ? ['-f', 'Makefile', '-f', extraMakefile] : [];
  const output = execFileSync('make', ['--no-print-directory', ...files, 'help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return output.trimEnd().split('\n').map((line) => {
    const match = /^ {2}make (\S+) +(?=\S)/.exec(line);
    assert.ok(match, `not a help line: ${JSON.stringify(line)}`);
    return [match[1]!, match[0].length];
  });
}

test('make help lists every documented target with the descriptions in one column', () => {
  const lines = helpColumns();
  assert.ok(lines.some(([target]) => target === 'admin-password'));
  assert.equal(new Set(lines.map(([, column]) => column)).size, 1, JSON.stringify(lines));
});

test('make help widens its column for a longer target name', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-help-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const extra = path.join(dir, 'extra.mk');
  await writeFile(extra, 'a-target-with-a-long-name: ## A description\n\t@true\n');
  const lines = helpColumns(extra);
  assert.ok(lines.some(([target]) => target === 'a-target-with-a-long-name'));
  assert.equal(new Set(lines.map(([, column]) => column)).size, 1, JSON.stringify(lines));
});
