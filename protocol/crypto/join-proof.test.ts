import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JOIN_CHALLENGE_BYTES,
  JOIN_PROOF_LABEL,
  generateJoinChallenge,
  joinProofMessage,
  signJoinProof,
  verifyJoinProof,
} from './join-proof.ts';
import { fastKeys, flipBit } from './test-support.ts';

const SESSION = 'join-session';
const keys = await fastKeys(SESSION, 'join passphrase');

test('A proof signed with the session key verifies against the stored public key', async () => {
  const challenge = generateJoinChallenge();
  assert.equal(challenge.length, JOIN_CHALLENGE_BYTES);
  const signature = await signJoinProof(keys, SESSION, challenge);
  assert.equal(signature.length, 64);
  assert.equal(await verifyJoinProof(keys.authPublicKey, SESSION, challenge, signature), true);
});

test('A proof for another challenge or another session does not verify', async () => {
  const challenge = generateJoinChallenge();
  const signature = await signJoinProof(keys, SESSION, challenge);
  assert.equal(await verifyJoinProof(keys.authPublicKey, SESSION, generateJoinChallenge(), signature), false);
  assert.equal(await verifyJoinProof(keys.authPublicKey, 'other-session', challenge, signature), false);
  assert.equal(await verifyJoinProof(keys.authPublicKey, SESSION, challenge, flipBit(signature, 0)), false);
});

test('A key derived from the wrong passphrase does not verify', async () => {
  const wrong = await fastKeys(SESSION, 'join passphrasE');
  const challenge = generateJoinChallenge();
  const signature = await signJoinProof(wrong, SESSION, challenge);
  assert.equal(await verifyJoinProof(keys.authPublicKey, SESSION, challenge, signature), false);
});

test('Malformed signatures, keys and challenges return false without throwing', async () => {
  const challenge = generateJoinChallenge();
  const signature = await signJoinProof(keys, SESSION, challenge);
  const cases: [unknown, unknown, unknown][] = [
    [keys.authPublicKey, challenge, signature.subarray(0, 63)],
    [keys.authPublicKey, challenge, new Uint8Array(0)],
    [keys.authPublicKey, challenge, new Uint8Array(64)],
    [keys.authPublicKey, challenge, new Uint8Array(64).fill(0xff)],
    [keys.authPublicKey.subarray(0, 31), challenge, signature],
    [new Uint8Array(32).fill(0xff), challenge, signature], // not a curve point
    [new Uint8Array(32), challenge, signature],
    [keys.authPublicKey, challenge.subarray(0, 16), signature],
    ['not bytes', challenge, signature],
    [keys.authPublicKey, challenge, null],
    [keys.authPublicKey, undefined, signature],
  ];
  for (const [publicKey, ch, sig] of cases) {
    const result = await verifyJoinProof(publicKey as Uint8Array, SESSION, ch as Uint8Array, sig as Uint8Array);
    assert.equal(result, false);
  }
});

test('The signed message is label, zero byte, length-prefixed session id, then the challenge', () => {
  const challenge = new Uint8Array(JOIN_CHALLENGE_BYTES).fill(9);
  const message = joinProofMessage('s1', challenge);
  const label = new TextEncoder().encode(JOIN_PROOF_LABEL);
  assert.deepEqual(message.subarray(0, label.length), label);
  assert.deepEqual([...message.subarray(label.length, label.length + 7)], [0, 0, 0, 0, 2, 0x73, 0x31]);
  assert.deepEqual(message.subarray(label.length + 7), challenge);
  assert.equal(message.length, label.length + 7 + JOIN_CHALLENGE_BYTES);
});

test('Signing refuses a challenge of the wrong size', async () => {
  await assert.rejects(signJoinProof(keys, SESSION, new Uint8Array(16)), RangeError);
});
