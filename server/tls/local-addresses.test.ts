import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { lanAddresses, machineNames } from './local-addresses.ts';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null };
}
function v6(address: string): NetworkInterfaceInfo {
  return { address, family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: null, scopeid: 0 };
}

test('the Wi-Fi address comes first; container bridges, VPNs and IPv6 after; loopback and link-local never', () => {
  const found = lanAddresses({
    lo: [v4('127.0.0.1', true)],
    docker0: [v4('172.17.0.1')],
    tailscale0: [v4('100.101.102.103')],
    wlan0: [v4('192.168.1.20'), v6('fe80::1'), v6('2001:db8::20')],
    eth0: [v4('10.0.0.5'), v4('169.254.3.4')],
  });
  assert.deepEqual(found.map((a) => `${a.address} ${a.interfaceName}`), [
    '192.168.1.20 wlan0',
    '10.0.0.5 eth0',
    '2001:db8::20 wlan0',
    '100.101.102.103 tailscale0',
    '172.17.0.1 docker0',
  ]);
});

test('machine names include the mDNS name; odd host names give none', () => {
  assert.deepEqual(machineNames('Laptop'), ['laptop', 'laptop.local']);
  assert.deepEqual(machineNames('box.example.org'), ['box.example.org', 'box', 'box.local']);
  assert.deepEqual(machineNames('bad name'), []);
});
