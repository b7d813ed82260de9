/**
 * The certificate and key this node serves HTTPS with: the operator's files
 * (TLS_CERT, TLS_KEY), checked at start-up so a wrong one stops the server
 * with the variable named, or a self-signed certificate for this machine.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../config-values.ts';
import { describeCertificate, ensureLocalCertificate, type TlsMaterial } from './local-certificate.ts';
import { lanAddresses, machineNames } from './local-addresses.ts';
import type { TlsConfig } from './tls-config.ts';

async function readPem(variable: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

async function fromFiles(files: { cert: string; key: string }, now: Date): Promise<TlsMaterial> {
  const certPem = await readPem('TLS_CERT', files.cert);
  const keyPem = await readPem('TLS_KEY', files.key);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new ConfigError(`TLS_CERT: "${files.cert}" is not a PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new ConfigError(`TLS_KEY: "${files.key}" is not an unencrypted PEM private key`);
  }
  if (!cert.checkPrivateKey(key)) throw new ConfigError(`TLS_KEY: "${files.key}" is not the key of the certificate in TLS_CERT`);
  if (new Date(cert.validTo) <= now) throw new ConfigError(`TLS_CERT: the certificate in "${files.cert}" expired on ${new Date(cert.validTo).toISOString()}`);
  return describeCertificate(certPem, keyPem);
}

export async function loadTlsMaterial(
  config: TlsConfig,
  dataDir: string,
  now = new Date(),
): Promise<TlsMaterial & { made: boolean }> {
  if (config.files) return { ...(await fromFiles(config.files, now)), made: false };
  const extra = { dns: config.extraNames.filter((name) => !isIP(name)), ips: config.extraNames.filter((name) => isIP(name)) };
  return ensureLocalCertificate(dataDir, {
    dns: ['localhost', ...machineNames(), ...extra.dns],
    ips: ['127.0.0.1', '::1', ...lanAddresses().map(({ address }) => address), ...extra.ips],
  }, now);
}
