/**
 * The addresses "Add a device" offers: with a self-signed certificate, the
 * names given in TLS_NAMES, this machine's network addresses (best first) and
 * its ".local" name; with the operator's certificate, the names it is for.
 */
import { isIP } from 'node:net';
import type { DeviceLink, DeviceLinks } from '../../protocol/device-links.ts';
import type { TlsMaterial } from './local-certificate.ts';
import { lanAddresses, machineNames, type LocalAddress } from './local-addresses.ts';

function origin(host: string, port: number): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return `https://${shown}${port === 443 ? '' : `:${port}`}/`;
}

export function deviceLinks(
  material: TlsMaterial | undefined,
  port: number,
  options: { extraNames: string[]; addresses?: LocalAddress[]; names?: string[] },
): DeviceLinks {
  if (!material) return { urls: [], fingerprint: null, selfSigned: false };
  const links: DeviceLink[] = [];
  if (material.selfSigned) {
    for (const name of options.extraNames) links.push({ url: origin(name, port), label: name });
    for (const { address, interfaceName } of options.addresses ?? lanAddresses()) {
      links.push({ url: origin(address, port), label: `${address} (${interfaceName})` });
    }
    const local = (options.names ?? machineNames()).find((name) => name.endsWith('.local'));
    if (local) links.push({ url: origin(local, port), label: `${local} (where the network resolves .local names)` });
  } else {
    for (const name of material.names.dns) {
      if (!name.includes('*') && name !== 'localhost') links.push({ url: origin(name, port), label: name });
    }
  }
  const unique = [...new Map(links.map((link) => [link.url, link])).values()];
  return { urls: unique, fingerprint: material.fingerprint, selfSigned: material.selfSigned };
}
