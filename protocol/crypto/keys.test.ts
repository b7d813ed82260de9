import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createPrivateKey, createPublicKey, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { hexEncode } from './encoding.ts';
import { LABELS, deriveMasterBits, deriveSessionKeys, deriveSessionKeysFromMaster } from './keys.ts';
import { ed25519Pkcs8 } from './ed25519.ts';
import { FAST_ITERATIONS, fastKeys } from './test-support.ts';

const SESSION = 'kat-session';
const PASSPHRASE = 'tr0ub4dor & 3 — ünïcödé';

function nodeMaster(sessionId: string, passphrase: string, iterations: number): Buffer {
  return pbkdf2Sync(passphrase.normalize('NFKC'), LABELS.pbkdf2Salt + sessionId, iterations, 32, 'sha256');
}

function nodeHkdf(sessionId: string, master: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, LABELS.hkdfSalt + sessionId, label, 32));
}

/** Encrypts with our non-extractable CryptoKey, decrypts with node and a raw key. */
async function sameAesKey(key: CryptoKey, raw: Uint8Array): Promise<boolean> {
  const iv = new Uint8Array(12).fill(7);
  const plaintext = new TextEncoder().encode('known answer');
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext));
  const decipher = createDecipheriv('aes-256-gcm', raw, iv);
  decipher.setAuthTag(sealed.subarray(-16));
  try {
    const opened = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
    return opened.toString() === 'known answer';
  } catch {
    return false;
  }
}

test('Master bits equal node pbkdf2Sync over the NFKC passphrase and the labelled salt', async () => {
  const ours = await deriveMasterBits(SESSION, PASSPHRASE, FAST_ITERATIONS);
  assert.equal(hexEncode(ours), nodeMaster(SESSION, PASSPHRASE, FAST_ITERATIONS).toString('hex'));
});

test('The content and metadata keys are node hkdfSync outputs under their own labels', async () => {
  const keys = await fastKeys(SESSION, PASSPHRASE);
  const master = nodeMaster(SESSION, PASSPHRASE, FAST_ITERATIONS);
  const content = nodeHkdf(SESSION, master, LABELS.content);
  const metadata = nodeHkdf(SESSION, master, LABELS.metadata);
  assert.equal(await sameAesKey(keys.contentKey, content), true);
  assert.equal(await sameAesKey(keys.metadataKey, metadata), true);
  assert.equal(await sameAesKey(keys.contentKey, metadata), false, 'content and metadata keys must differ');
});

test('The Ed25519 public key is the one node derives from the HKDF auth seed', async () => {
  const keys = await fastKeys(SESSION, PASSPHRASE);
  const seed = nodeHkdf(SESSION, nodeMaster(SESSION, PASSPHRASE, FAST_ITERATIONS), LABELS.auth);
  const privateKey = createPrivateKey({ key: Buffer.from(ed25519Pkcs8(seed)), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  assert.equal(hexEncode(keys.authPublicKey), Buffer.from(x!, 'base64url').toString('hex'));
});

test('Derived secret keys are non-extractable and limited to their usages', async () => {
  const keys = await fastKeys(SESSION, PASSPHRASE);
  for (const key of [keys.contentKey, keys.metadataKey, keys.authPrivateKey]) {
    assert.equal(key.extractable, false);
    await assert.rejects(crypto.subtle.exportKey('jwk', key));
  }
  assert.deepEqual([...keys.contentKey.usages].sort(), ['decrypt', 'encrypt']);
  assert.deepEqual(keys.authPrivateKey.usages, ['sign']);
  assert.equal(keys.authPrivateKey.algorithm.name, 'Ed25519');
});

test('The fingerprint has four groups of four Crockford base32 digits and depends on the session', async () => {
  const a = await fastKeys(SESSION, PASSPHRASE);
  const b = await fastKeys('other-session', PASSPHRASE);
  assert.match(a.fingerprint, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  assert.notEqual(a.fingerprint, b.fingerprint);
  assert.notEqual(hexEncode(a.authPublicKey), hexEncode(b.authPublicKey));
});

test('Compatibility-equivalent passphrases derive the same keys thanks to NFKC', async () => {
  const ligature = await fastKeys(SESSION, '\uFB01sh 2\u2075'); // "ﬁsh 2⁵"
  const plain = await fastKeys(SESSION, 'fish 25');
  assert.equal(ligature.fingerprint, plain.fingerprint);
  assert.notEqual((await fastKeys(SESSION, 'fish 26')).fingerprint, plain.fingerprint);
});

test('The split derivation gives the same keys as the one-call derivation', async () => {
  const master = await deriveMasterBits(SESSION, PASSPHRASE, FAST_ITERATIONS);
  const split = await deriveSessionKeysFromMaster(SESSION, master);
  const whole = await deriveSessionKeys(SESSION, PASSPHRASE, FAST_ITERATIONS);
  assert.deepEqual(split.authPublicKey, whole.authPublicKey);
  assert.equal(split.fingerprint, whole.fingerprint);
});

test('Invalid derivation inputs are rejected before any work is done', async () => {
  await assert.rejects(deriveSessionKeys(SESSION, ''), RangeError);
  await assert.rejects(deriveMasterBits(SESSION, 'x', 0), RangeError);
  await assert.rejects(deriveMasterBits(SESSION, 'x', 1.5), RangeError);
  await assert.rejects(deriveSessionKeysFromMaster(SESSION, new Uint8Array(31)), RangeError);
});
