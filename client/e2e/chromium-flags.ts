/** Flags as the project runs Debian's Chromium everywhere (tests, benchmarks): no sandbox (root, containers), no network beyond the test. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
