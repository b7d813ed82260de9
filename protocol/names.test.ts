import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName, describeNameProblem, finalExtension, nameProblem } from './names.ts';

test('names in every script, with accents, emoji sequences and joiners where scripts need them, pass unchanged', () => {
  for (const name of ['José', 'Zoë Ångström', '東京タワー', '김민준', 'مرحبا', 'שלום', 'می‌خواهم', 'क्‍ष', '👨‍👩‍👧 family', '❤️ Alice', 'report.pdf', 'a.tar.gz', 'Ω-7']) {
    assert.equal(nameProblem(name), undefined, name);
    assert.equal(cleanName(name), name.normalize('NFC'), name);
  }
});

test('bidi controls, zero-width and other invisible characters are refused, and removed by cleanName', () => {
  const cases: Array<[string, string]> = [
    ['report\u202etxt.exe', 'reporttxt.exe'],
    ['report\u200f.pdf', 'report.pdf'],
    ['report\u200e.pdf', 'report.pdf'],
    ['Al\u200bice', 'Alice'],
    ['Al\u2060ice', 'Alice'],
    ['\ufeffAlice', 'Alice'],
    ['Ali\u00adce', 'Alice'],
    ['pdf\u200d.exe', 'pdf.exe'],
    ['a\u061cb', 'ab'],
    ['tag\u{e0041}', 'tag'],
  ];
  for (const [name, clean] of cases) {
    assert.equal(nameProblem(name), 'invisible', JSON.stringify(name));
    assert.equal(cleanName(name), clean);
    assert.equal(nameProblem(cleanName(name)), undefined);
  }
});

test('ideographic and other odd spaces, and padding, are refused; cleanName collapses them so the real extension shows', () => {
  const disguised = 'report.pdf\u200b\u3000\u3000\u3000……\u3000.exe';
  assert.equal(nameProblem(disguised), 'invisible');
  assert.equal(nameProblem('report.pdf\u3000.exe'), 'spacing');
  assert.equal(nameProblem('report.pdf\u00a0.exe'), 'spacing');
  assert.equal(nameProblem('report.pdf      .exe'), 'padding');
  assert.equal(nameProblem(' Alice'), 'padding');
  assert.equal(cleanName(disguised), 'report.pdf …… .exe');
  assert.equal(finalExtension(disguised), 'exe');
  assert.equal(cleanName('\u200b\u3000', 'file'), 'file');
  assert.match(describeNameProblem('invisible'), /invisible/);
});

test('the final extension is what follows the last dot, in lower case', () => {
  assert.equal(finalExtension('Report.PDF'), 'pdf');
  assert.equal(finalExtension('a.tar.gz'), 'gz');
  assert.equal(finalExtension('.bashrc'), '');
  assert.equal(finalExtension('README'), '');
  assert.equal(finalExtension('trailing.'), '');
});
