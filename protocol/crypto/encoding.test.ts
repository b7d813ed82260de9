import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base64urlDecode,
  base64urlEncode,
  bytesEqual,
  concatBytes,
  readU32be,
  u32be,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';
import { randomBytes } from './test-support.ts';

test('Base64url matches node for every length and round-trips', () => {
  for (let length = 0; length < 70; length++) {
    const data = randomBytes(length);
    const text = base64urlEncode(data);
    assert.equal(text, Buffer.from(data).toString('base64url'));
    assert.deepEqual(base64urlDecode(text), data);
  }
});

test('Base64url decoding rejects padding, foreign characters and non-canonical input', () => {
  for (const bad of ['AA==', 'A', 'AB+/', 'AB C', 'AB', 'AAB']) {
    assert.throws(() => base64urlDecode(bad), TypeError, bad);
  }
  assert.deepEqual(base64urlDecode('AA'), new Uint8Array([0]));
});

test('UTF-8 round-trips and invalid sequences are errors', () => {
  assert.equal(utf8Decode(utf8Encode('naïve 🙂')), 'naïve 🙂');
  assert.throws(() => utf8Decode(new Uint8Array([0xc3])), TypeError);
});

test('u32be writes big-endian and refuses values outside 32 bits', () => {
  assert.deepEqual([...u32be(0x01020304)], [1, 2, 3, 4]);
  assert.equal(readU32be(concatBytes(new Uint8Array([9]), u32be(0xffffffff)), 1), 0xffffffff);
  for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => u32be(bad), RangeError);
});

test('Byte equality compares length and content', () => {
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
});
