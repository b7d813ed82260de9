/**
 * The self-signed certificate `make run` serves HTTPS with, so a phone on
 * the same network gets a secure context (browsers give WebCrypto to no
 * other). Made on first start for this machine's names and addresses, kept in
 * DATA_DIR/tls (the key readable by its owner only), reused while it covers
 * them, and made again 30 days before it expires or when an address is new.
 * A new certificate means a new fingerprint: browsers warn once more.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../store/disk/atomic.ts';

export interface CertificateNames {
  dns: string[];
  ips: string[];
}

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the certificate, "AB:CD:…", as browsers' certificate viewers show it. */
  fingerprint: string;
  validTo: Date;
  /** The DNS names and addresses the certificate covers. */
  names: CertificateNames;
  selfSigned: boolean;
}

const VALID_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

export function certificateFiles(dataDir: string): { cert: string; key: string } {
  return { cert: path.join(dataDir, 'tls', 'local-cert.pem'), key: path.join(dataDir, 'tls', 'local-key.pem') };
}

/** What a certificate says about itself. */
export function describeCertificate(cert: string, key: string): TlsMaterial {
  const x509 = new X509Certificate(cert);
  const names: CertificateNames = { dns: [], ips: [] };
  for (const entry of (x509.subjectAltName ?? '').split(', ')) {
    const [kind, value] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
    if (kind === 'DNS') names.dns.push(value);
    if (kind === 'IP Address') names.ips.push(value);
  }
  return {
    cert,
    key,
    fingerprint: x509.fingerprint256,
    validTo: new Date(x509.validTo),
    names,
    // Not checkIssued: OpenSSL also wants keyCertSign there, which a server certificate must not have.
    selfSigned: x509.subject === x509.issuer && x509.verify(x509.publicKey),
  };
}

function covers(x509: X509Certificate, names: CertificateNames): boolean {
  return names.dns.every((name) => x509.checkHost(name, { wildcards: false }) !== undefined)
    && names.ips.every((ip) => x509.checkIP(ip) !== undefined);
}

async function readExisting(files: { cert: string; key: string }): Promise<{ cert: string; key: string } | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key };
  } catch {
    return undefined; // missing or damaged: made again
  }
}

async function make(names: CertificateNames, now: Date): Promise<{ cert: string; key: string }> {
  const notAfterDate = new Date(now.getTime() + VALID_DAYS * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: names.dns[0] ?? 'localhost' }, { name: 'organizationName', value: 'ShareThings (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000), // a little clock skew between devices
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The certificate in `dataDir`, made (again) when missing, damaged, expiring
 * within 30 days, or not covering every name in `names`. `made` says whether
 * this call wrote a new one.
 */
export async function ensureLocalCertificate(
  dataDir: string,
  wanted: CertificateNames,
  now = new Date(),
): Promise<TlsMaterial & { made: boolean }> {
  const files = certificateFiles(dataDir);
  const names = { dns: [...new Set(wanted.dns.map((name) => name.toLowerCase()))], ips: [...new Set(wanted.ips.filter((ip) => isIP(ip)))] };
  const existing = await readExisting(files);
  if (existing) {
    const x509 = new X509Certificate(existing.cert);
    const fresh = new Date(x509.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS && new Date(x509.validFrom) <= now;
    if (fresh && covers(x509, names)) return { ...describeCertificate(existing.cert, existing.key), made: false };
  }
  const made = await make(names, now);
  // A crash between the two writes leaves a pair that does not match: made again at the next start.
  await writeFileAtomic(files.key, [Buffer.from(made.key)], true, 0o600);
  await writeFileAtomic(files.cert, [Buffer.from(made.cert)], true, 0o644);
  return { ...describeCertificate(made.cert, made.key), made: true };
}
