/**
 * Which addresses "Add a device" offers. A page opened at localhost cannot
 * give its own address to a phone, so the server's network addresses come
 * first there; a page opened at any other address offers that one first.
 */
import { DEVICE_LINKS_PATH, type DeviceLink, type DeviceLinks } from '../../protocol/device-links.ts';

export type { DeviceLinks } from '../../protocol/device-links.ts';

const LOOPBACK = /^(localhost|.+\.localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function isLoopback(appUrl: string): boolean {
  return LOOPBACK.test(new URL(appUrl).hostname);
}

/** The server's answer, or undefined when it has none (an older server, or unreachable). */
export async function fetchDeviceLinks(server: string): Promise<DeviceLinks | undefined> {
  try {
    const response = await fetch(new URL(DEVICE_LINKS_PATH, server), { cache: 'no-store' });
    if (!response.ok) return undefined;
    const links = (await response.json()) as DeviceLinks;
    return Array.isArray(links.urls) ? links : undefined;
  } catch {
    return undefined;
  }
}

/** The addresses to offer, best first; the page's own address is never dropped unless it is loopback and others exist. */
export function linkChoices(appUrl: string, links: DeviceLinks | undefined): DeviceLink[] {
  const own: DeviceLink = { url: new URL('/', appUrl).href, label: `${new URL(appUrl).host} (this page's address)` };
  const others = (links?.urls ?? []).filter((link) => link.url !== own.url);
  if (isLoopback(appUrl)) return others.length ? others : [own];
  return [own, ...others];
}

/** "AB:CD:…" as groups a person compares a few at a time: "AB CD EF 01 · 23 45 …". */
export function fingerprintGroups(fingerprint: string): string[] {
  const pairs = fingerprint.split(':');
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 4) groups.push(pairs.slice(i, i + 4).join(' '));
  return groups;
}
