import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createCipheriv, createPrivateKey, createPublicKey, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { chunkAad, descriptorAad, nameAad } from './aad.ts';
import { ed25519Pkcs8 } from './ed25519.ts';
import { hexEncode } from './encoding.ts';
import { decryptChunk, decryptDescriptor, decryptName } from './envelope.ts';
import { joinProofMessage, signJoinProof, verifyJoinProof } from './join-proof.ts';
import { LABELS, PBKDF2_ITERATIONS, deriveMasterBits, deriveSessionKeysFromMaster } from './keys.ts';

const SESSION = 'demo-session';
const PASSPHRASE = 'correct horse battery staple';
const CONTENT = 'item-1';
const IV = Buffer.from('000102030405060708090a0b', 'hex');

/** The `name: value` lines of the fenced block in TEST_VECTORS.md. */
function readVectors(): Map<string, string> {
  const markdown = readFileSync(new URL('./TEST_VECTORS.md', import.meta.url), 'utf8');
  const block = /```text\n([\s\S]*?)```/.exec(markdown)?.[1];
  assert.ok(block, 'TEST_VECTORS.md has a ```text block');
  const vectors = new Map<string, string>();
  for (const line of block.trim().split('\n')) {
    const match = /^([a-z0-9 ]+): (.+)$/.exec(line);
    assert.ok(match, `malformed vector line: ${line}`);
    vectors.set(match[1]!, match[2]!);
  }
  return vectors;
}

const vectors = readVectors();
const hex = (name: string): string => {
  const value = vectors.get(name);
  assert.ok(value !== undefined, `missing vector "${name}"`);
  return value;
};
const bytes = (name: string): Buffer => Buffer.from(hex(name), 'hex');

test('The documented vectors are self-consistent under node:crypto', () => {
  const master = pbkdf2Sync(PASSPHRASE, LABELS.pbkdf2Salt + SESSION, PBKDF2_ITERATIONS, 32, 'sha256');
  assert.equal(master.toString('hex'), hex('master bits'));
  const hkdf = (label: string) => Buffer.from(hkdfSync('sha256', master, LABELS.hkdfSalt + SESSION, label, 32));
  assert.equal(hkdf(LABELS.content).toString('hex'), hex('content key'));
  assert.equal(hkdf(LABELS.metadata).toString('hex'), hex('metadata key'));
  assert.equal(hkdf(LABELS.auth).toString('hex'), hex('auth seed'));
  const privateKey = createPrivateKey({ key: Buffer.from(ed25519Pkcs8(bytes('auth seed'))), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x!;
  assert.equal(Buffer.from(x, 'base64url').toString('hex'), hex('auth public key'));

  // The name envelope: u32be(length) || name || zeros to 256 bytes, AES-256-GCM with the name AAD.
  const name = Buffer.from(hex('name plaintext'), 'utf8');
  const padded = Buffer.alloc(Math.ceil((name.length + 4) / 256) * 256);
  padded.writeUInt32BE(name.length, 0);
  name.copy(padded, 4);
  const cipher = createCipheriv('aes-256-gcm', hkdf(LABELS.metadata), bytes('name iv'));
  cipher.setAAD(bytes('name aad'));
  assert.equal(Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]).toString('hex'), hex('name ciphertext'));

  // NFKC: the raw bytes are not normalised, the normalised ones are what PBKDF2 takes.
  const raw = bytes('nfkc passphrase utf8').toString('utf8');
  const normalized = bytes('nfkc passphrase normalized utf8');
  assert.notEqual(raw, normalized.toString('utf8'));
  assert.equal(raw.normalize('NFKC'), normalized.toString('utf8'));
  const nfkcMaster = pbkdf2Sync(normalized, LABELS.pbkdf2Salt + SESSION, PBKDF2_ITERATIONS, 32, 'sha256');
  assert.equal(nfkcMaster.toString('hex'), hex('nfkc master bits'));
});

test('The real 600,000-iteration derivation reproduces every key vector', async () => {
  const master = await deriveMasterBits(SESSION, PASSPHRASE);
  assert.equal(hexEncode(master), hex('master bits'));
  const keys = await deriveSessionKeysFromMaster(SESSION, master);
  assert.equal(hexEncode(keys.authPublicKey), hex('auth public key'));
  assert.equal(keys.fingerprint, hex('fingerprint'));

  // The AES keys are non-extractable: prove them by opening node-made ciphertexts.
  const chunk = await decryptChunk(
    keys.contentKey,
    { sessionId: SESSION, contentId: CONTENT, chunkIndex: 1, totalChunks: 2 },
    IV,
    bytes('chunk ciphertext'),
  );
  assert.equal(new TextDecoder().decode(chunk), hex('chunk plaintext'));
  const descriptor = await decryptDescriptor(keys.metadataKey, SESSION, CONTENT, 2, IV, bytes('descriptor ciphertext'));
  assert.deepEqual(descriptor, JSON.parse(hex('descriptor json')));
  assert.equal(await decryptName(keys.metadataKey, SESSION, CONTENT, bytes('name iv'), bytes('name ciphertext')), hex('name plaintext'));

  const challenge = bytes('join challenge');
  const signature = await signJoinProof(keys, SESSION, challenge);
  assert.equal(hexEncode(signature), hex('join proof signature'));
  assert.equal(await verifyJoinProof(keys.authPublicKey, SESSION, challenge, signature), true);
});

test('A passphrase that NFKC changes derives the documented master bits from its raw, unnormalised form', async () => {
  const raw = bytes('nfkc passphrase utf8').toString('utf8');
  assert.equal(hexEncode(await deriveMasterBits(SESSION, raw)), hex('nfkc master bits'));
  // Not the bits of the raw bytes: the normalisation is what makes it match.
  const unnormalized = pbkdf2Sync(bytes('nfkc passphrase utf8'), LABELS.pbkdf2Salt + SESSION, PBKDF2_ITERATIONS, 32, 'sha256');
  assert.notEqual(unnormalized.toString('hex'), hex('nfkc master bits'));
});

test('The associated data and join proof message match the documented byte layouts', () => {
  assert.equal(hexEncode(chunkAad(SESSION, CONTENT, 1, 2)), hex('chunk aad'));
  assert.equal(hexEncode(descriptorAad(SESSION, CONTENT, 2)), hex('descriptor aad'));
  assert.equal(hexEncode(nameAad(SESSION, CONTENT)), hex('name aad'));
  assert.equal(hexEncode(joinProofMessage(SESSION, bytes('join challenge'))), hex('join proof message'));
});
