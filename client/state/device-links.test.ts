import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintGroups, linkChoices } from './device-links.ts';

const LINKS = {
  urls: [{ url: 'https://192.168.1.20:3443/', label: '192.168.1.20 (wlan0)' }, { url: 'https://laptop.local:3443/', label: 'laptop.local' }],
  fingerprint: 'AB:CD:EF:01:23:45:67:89',
  selfSigned: true,
};

test('at localhost the network addresses are offered, at any other address that one first', () => {
  assert.deepEqual(linkChoices('http://localhost:3000/', LINKS).map((l) => l.url), ['https://192.168.1.20:3443/', 'https://laptop.local:3443/']);
  assert.deepEqual(linkChoices('https://192.168.1.20:3443/', LINKS).map((l) => l.url), ['https://192.168.1.20:3443/', 'https://laptop.local:3443/']);
  assert.deepEqual(linkChoices('https://share.example/', LINKS)[0], { url: 'https://share.example/', label: "share.example (this page's address)" });
  assert.deepEqual(linkChoices('http://localhost:3000/', undefined).map((l) => l.url), ['http://localhost:3000/']);
});

test('a fingerprint reads in groups of four bytes', () => {
  assert.deepEqual(fingerprintGroups(LINKS.fingerprint), ['AB CD EF 01', '23 45 67 89']);
});
