import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError, loadConfig } from '../config.ts';
import { tempDir } from '../testing/harness.ts';
import { loadTlsMaterial } from './tls-material.ts';

const defaults = { clientDir: 'dist/client', dataDir: 'data' };

test('HTTPS is on by default on its own port, off behind a proxy, forced by HTTPS, and on with own files', () => {
  assert.deepEqual(loadConfig({}, defaults).tls, { port: 3443, files: undefined, extraNames: [] });
  assert.equal(loadConfig({ BEHIND_PROXY: 'true' }, defaults).tls, undefined);
  assert.equal(loadConfig({ HTTPS: 'off' }, defaults).tls, undefined);
  assert.equal(loadConfig({ BEHIND_PROXY: 'true', HTTPS: 'on' }, defaults).tls?.port, 3443);
  assert.deepEqual(loadConfig({ BEHIND_PROXY: 'true', TLS_CERT: 'c.pem', TLS_KEY: 'k.pem', HTTPS_PORT: '8443' }, defaults).tls, {
    port: 8443, files: { cert: 'c.pem', key: 'k.pem' }, extraNames: [],
  });
  assert.deepEqual(loadConfig({ TLS_NAMES: 'Laptop.lan, 192.168.1.9' }, defaults).tls?.extraNames, ['laptop.lan', '192.168.1.9']);
});

test('bad HTTPS settings name their variable', () => {
  for (const [env, message] of [
    [{ HTTPS: 'yes' }, /^HTTPS must be auto, on or off/],
    [{ HTTPS_PORT: 'x' }, /^HTTPS_PORT must be a whole number/],
    [{ TLS_CERT: 'c.pem' }, /^TLS_CERT and TLS_KEY must be set together/],
    [{ TLS_NAMES: 'a b' }, /^TLS_NAMES must be host names or IP addresses/],
  ] as const) {
    assert.throws(() => loadConfig(env, defaults), (error: unknown) => error instanceof ConfigError && message.test(error.message));
  }
});

async function pems(days: number): Promise<{ cert: string; key: string }> {
  const now = Date.now();
  const made = await generate([{ name: 'commonName', value: 'share.example' }], {
    keyType: 'ec', algorithm: 'sha256',
    notBeforeDate: new Date(now - 400 * 24 * 3600_000), notAfterDate: new Date(now + days * 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'share.example' }] }],
  });
  return { cert: made.cert, key: made.private };
}

test('own certificate files are checked at start-up, naming TLS_CERT or TLS_KEY', async (t) => {
  const dir = await tempDir(t);
  const good = await pems(90);
  const other = await pems(90);
  const expired = await pems(-1);
  const file = async (name: string, text: string) => {
    await writeFile(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const cert = await file('cert.pem', good.cert);
  const key = await file('key.pem', good.key);
  const tls = (files: { cert: string; key: string }) => loadTlsMaterial({ port: 0, files, extraNames: [] }, dir);

  const loaded = await tls({ cert, key });
  assert.equal(loaded.selfSigned, true);
  assert.deepEqual(loaded.names.dns, ['share.example']);
  await assert.rejects(tls({ cert: path.join(dir, 'missing.pem'), key }), /^ConfigError: TLS_CERT: cannot read .*missing\.pem.*ENOENT/);
  await assert.rejects(tls({ cert: key, key }), /^ConfigError: TLS_CERT: .* is not a PEM certificate/);
  await assert.rejects(tls({ cert, key: cert }), /^ConfigError: TLS_KEY: .* is not an unencrypted PEM private key/);
  await assert.rejects(tls({ cert, key: await file('other.pem', other.key) }), /^ConfigError: TLS_KEY: .* is not the key of the certificate in TLS_CERT/);
  await assert.rejects(tls({ cert: await file('old.pem', expired.cert), key: await file('old-key.pem', expired.key) }), /^ConfigError: TLS_CERT: the certificate in .* expired on/);
});
