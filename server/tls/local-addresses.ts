/**
 * This machine's addresses that another device on the same network can
 * reach, best first: the ones a phone on the same Wi-Fi most likely shares
 * (private IPv4 on a physical interface), then VPNs, then virtual bridges
 * (containers, VMs) and IPv6, which phones rarely reach by number.
 */
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface LocalAddress {
  address: string;
  family: 4 | 6;
  /** The interface's name, e.g. "wlan0": how a person tells several apart. */
  interfaceName: string;
}

const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|lxc|lxd|podman|cni|flannel|cali|vEthernet)/i;
const VPN = /^(tun|tap|utun|wg|tailscale|zt|ham|ppp)/i;

function isLinkLocal(info: NetworkInterfaceInfo): boolean {
  return info.family === 'IPv4' ? info.address.startsWith('169.254.') : /^fe[89ab]/i.test(info.address);
}

/** Lower is better. */
function rank(name: string, info: NetworkInterfaceInfo): number {
  const kind = VIRTUAL.test(name) ? 200 : VPN.test(name) ? 100 : 0;
  if (info.family === 'IPv6') return kind + 50;
  const [a, b] = info.address.split('.').map(Number) as [number, number];
  if (a === 192 && b === 168) return kind; // home routers
  if (a === 10) return kind + 1;
  if (a === 172 && b >= 16 && b <= 31) return kind + 2;
  return kind + 10; // public or carrier-grade NAT (VPNs such as Tailscale)
}

export function lanAddresses(interfaces = networkInterfaces()): LocalAddress[] {
  const found: Array<LocalAddress & { rank: number }> = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || isLinkLocal(info)) continue;
      found.push({ address: info.address, family: info.family === 'IPv4' ? 4 : 6, interfaceName: name, rank: rank(name, info) });
    }
  }
  return found.sort((x, y) => x.rank - y.rank).map(({ rank: _, ...address }) => address);
}

/** Names a person or a phone may use for this machine; ".local" answers on networks with mDNS. */
export function machineNames(name = hostname()): string[] {
  const short = name.toLowerCase().split('.')[0]!;
  if (!/^[a-z0-9-]{1,63}$/.test(short)) return [];
  return [...new Set([name.toLowerCase(), short, `${short}.local`])];
}
