import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLink, sessionLink } from './share-link.ts';

test('a session link carries the session in the fragment, and the passphrase only when asked', () => {
  const plain = sessionLink('https://share.example.org/', { sessionId: 'k7wm-q3xa-9fhp' });
  assert.equal(plain, 'https://share.example.org/#session=k7wm-q3xa-9fhp');
  const full = sessionLink('https://share.example.org/', { sessionId: 'k7wm-q3xa-9fhp', passphrase: 'acid acorn&=#%' });
  const url = new URL(full);
  assert.equal(url.search, '', 'nothing in the query string, which servers see');
  assert.deepEqual(parseLink(url.hash), { sessionId: 'k7wm-q3xa-9fhp', passphrase: 'acid acorn&=#%' });
});

test('fragments that name no session are not links', () => {
  assert.equal(parseLink(''), undefined);
  assert.equal(parseLink('#section-2'), undefined);
  assert.equal(parseLink('#passphrase=x'), undefined);
  assert.deepEqual(parseLink('#session=abc'), { sessionId: 'abc' });
});
