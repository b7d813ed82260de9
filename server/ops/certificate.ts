/**
 * A self-signed certificate for HAProxy's TLS front end (`make cert`, the
 * tests): one PEM file holding the certificate and its key, made by openssl.
 * For local use and trials only; production uses a real certificate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function makeCertificate(file: string, openssl = 'openssl'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const key = `${file}.key.tmp`;
  const cert = `${file}.crt.tmp`;
  try {
    execFileSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '365',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-keyout', key, '-out', cert,
    ], { stdio: 'pipe' });
    await writeFile(file, Buffer.concat([await readFile(cert), await readFile(key)]), { mode: 0o600 });
  } finally {
    await rm(key, { force: true });
    await rm(cert, { force: true });
  }
}

/** `make cert`: certs/haproxy.pem unless it is there already. */
export async function ensureCertificate(file: string, openssl?: string): Promise<boolean> {
  if (existsSync(file)) return false;
  await makeCertificate(file, openssl);
  return true;
}
