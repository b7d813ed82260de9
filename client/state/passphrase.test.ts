import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_PATTERN } from '../../protocol/limits.ts';
import { PASSPHRASE_BITS, PASSPHRASE_WORDS, generatePassphrase, generateSessionId } from './passphrase.ts';
import { WORDS } from './wordlist.ts';

test('the word list has 1,296 distinct lowercase words', () => {
  assert.equal(WORDS.length, 1296);
  assert.equal(new Set(WORDS).size, 1296);
  for (const word of WORDS) assert.match(word, /^[a-z]{3,5}$/);
});

test('a passphrase is 7 words of the list, at least 64 bits', () => {
  assert.ok(PASSPHRASE_BITS >= 64, `${PASSPHRASE_BITS} bits`);
  const words = generatePassphrase().split('-');
  assert.equal(words.length, PASSPHRASE_WORDS);
  for (const word of words) assert.ok(WORDS.includes(word), word);
});

test('passphrases and session ids do not repeat, and ids are valid protocol ids', () => {
  const passphrases = new Set(Array.from({ length: 2000 }, () => generatePassphrase()));
  const ids = new Set(Array.from({ length: 2000 }, () => generateSessionId()));
  assert.equal(passphrases.size, 2000);
  assert.equal(ids.size, 2000);
  for (const id of ids) {
    assert.match(id, ID_PATTERN);
    assert.match(id, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  }
});

test('every word is drawn about equally often (no modulo bias)', () => {
  const counts = new Map<string, number>();
  const draws = 200_000;
  for (let i = 0; i < draws / PASSPHRASE_WORDS; i++) {
    for (const word of generatePassphrase().split('-')) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const expected = draws / WORDS.length; // ~154
  // Chi-squared with 1,295 degrees of freedom: mean 1295, sd ~51; 1,600 is six standard deviations out.
  let chi = 0;
  for (const word of WORDS) chi += ((counts.get(word) ?? 0) - expected) ** 2 / expected;
  assert.ok(chi < 1600, `chi-squared ${chi.toFixed(0)}`);
});
