/** The lines `make run` prints about HTTPS: where other devices open the app, and the certificate to compare. */
import type { TlsMaterial } from './local-certificate.ts';
import { deviceLinks } from './device-links.ts';

export function secureBanner(
  material: TlsMaterial & { made: boolean },
  where: { shownHost: string; port: number; extraNames: string[] },
): string {
  const links = deviceLinks(material, where.port, { extraNames: where.extraNames }).urls;
  const lines = [`  over HTTPS at https://${where.shownHost}:${where.port}/`];
  if (links.length) {
    const others = links.slice(1, 3).map((link) => link.url);
    lines.push(`  from your other devices: ${links[0]!.url}${others.length ? ` (or ${others.join(', ')})` : ''}`);
  } else {
    lines.push('  no network address found: connect this machine to a network for other devices to reach it');
  }
  if (material.selfSigned) {
    const until = material.validTo.toISOString().slice(0, 10);
    lines.push(`  certificate: self-signed${material.made ? ', just made' : ''}, valid until ${until}; SHA-256 fingerprint:`);
    lines.push(`    ${material.fingerprint}`);
    lines.push('  Browsers warn about it once per device: compare the fingerprint, then proceed (README: "Use it from your phone").');
  }
  return `${lines.join('\n')}\n`;
}
