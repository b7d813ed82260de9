import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NAME_BYTES, freeName, safeFileName } from './safe-name.ts';

test('names that would leave the folder, hide, pose as options or devices become plain names', () => {
  const cases: Array<[string, string]> = [
    ['../escape.txt', 'escape.txt'],
    ['/etc/passwd', 'passwd'],
    ['..\\win.txt', 'win.txt'],
    ['C:\\Users\\x\\evil.exe', 'evil.exe'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    ['dir/', 'file'],
    ['.bashrc', 'bashrc'],
    ['-rf', 'rf'],
    ['--help.txt', 'help.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1', '_com1'],
    ['CONSOLE.txt', 'CONSOLE.txt'],
    ['a\u0000b', 'a_b'],
    ['tab\there\n', 'tab_here_'],
    ['report\u202Etxt.exe', 'reporttxt.exe'],
    ['trailing. . ', 'trailing'],
    ['what?<>|*".txt', 'what______.txt'],
    ['café.txt', 'café.txt'],
  ];
  for (const [input, expected] of cases) assert.equal(safeFileName(input), expected, JSON.stringify(input));
});

test('a long name is cut to whole characters within the byte limit, keeping its extension', () => {
  const long = safeFileName(`${'é'.repeat(300)}.tar`);
  assert.ok(Buffer.byteLength(long) <= MAX_NAME_BYTES);
  assert.match(long, /^é+\.tar$/u);
  assert.equal(safeFileName('x'.repeat(300)), 'x'.repeat(MAX_NAME_BYTES));
});

test('a taken name gets " (1)", " (2)", ... before its extension', async () => {
  const taken = new Set(['a.txt', 'a (1).txt', 'noext', '.hidden']);
  const isTaken = async (name: string) => taken.has(name);
  assert.equal(await freeName('a.txt', isTaken), 'a (2).txt');
  assert.equal(await freeName('noext', isTaken), 'noext (1)');
  assert.equal(await freeName('b.txt', isTaken), 'b.txt');
  assert.equal(await freeName('archive.tar.gz', async (n) => n === 'archive.tar.gz'), 'archive.tar (1).gz');
});

test('a name padded with invisible characters and ideographic spaces is saved collapsed, its real extension last', () => {
  assert.equal(safeFileName('report.pdf\u200b\u3000\u3000\u3000……\u3000.exe'), 'report.pdf …… .exe');
  assert.equal(safeFileName('José – 東京.txt'), 'José – 東京.txt');
});
