/** `make cert`: a self-signed certificate for HAProxy's TLS front end in certs/ (git-ignored), unless one is there. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCertificate } from './certificate.ts';
import { requireDebianTool } from './debian-tool.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'certs', 'haproxy.pem');
const openssl = requireDebianTool('openssl', 'openssl', '/usr/bin/openssl');
if (!('path' in openssl)) {
  process.stderr.write(`make cert needs openssl: ${openssl.skip}\n`);
  process.exit(1);
}
const made = await ensureCertificate(file, openssl.path);
process.stdout.write(made ? `Wrote ${path.relative(process.cwd(), file)} (self-signed, for local use)\n` : `${path.relative(process.cwd(), file)} is there already\n`);
