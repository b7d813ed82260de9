import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tempDir } from '../testing/harness.ts';
import { certificateFiles, ensureLocalCertificate } from './local-certificate.ts';

const NAMES = { dns: ['localhost', 'laptop.local'], ips: ['127.0.0.1', '192.168.1.20'] };
const DAY = 24 * 3600_000;

test('a certificate is made for the names and addresses, its key readable by its owner only, and reused', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureLocalCertificate(dir, NAMES);
  assert.equal(first.made, true);
  assert.equal(first.selfSigned, true);
  const x509 = new X509Certificate(first.cert);
  assert.equal(x509.checkHost('laptop.local'), 'laptop.local');
  assert.equal(x509.checkIP('192.168.1.20'), '192.168.1.20');
  assert.equal(first.fingerprint, x509.fingerprint256);
  assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const files = certificateFiles(dir);
  assert.equal((await stat(files.key)).mode & 0o777, 0o600);

  const again = await ensureLocalCertificate(dir, NAMES);
  assert.equal(again.made, false);
  assert.equal(again.fingerprint, first.fingerprint);
});

test('it is made again 30 days before it expires, for a new address, and when its files are damaged', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureLocalCertificate(dir, NAMES);
  const late = await ensureLocalCertificate(dir, NAMES, new Date(first.validTo.getTime() - 29 * DAY));
  assert.equal(late.made, true);
  assert.notEqual(late.fingerprint, first.fingerprint);

  const stillFine = await ensureLocalCertificate(dir, NAMES, new Date(late.validTo.getTime() - 31 * DAY));
  assert.equal(stillFine.made, false);

  const moved = await ensureLocalCertificate(dir, { ...NAMES, ips: [...NAMES.ips, '10.0.0.7'] });
  assert.equal(moved.made, true);
  assert.equal(new X509Certificate(moved.cert).checkIP('10.0.0.7'), '10.0.0.7');

  await writeFile(certificateFiles(dir).cert, 'not a certificate');
  const repaired = await ensureLocalCertificate(dir, NAMES);
  assert.equal(repaired.made, true);
  assert.equal(await readFile(certificateFiles(dir).cert, 'utf8'), repaired.cert);
});
