/**
 * `make cluster` as a person runs it: Redis, Swift, three nodes and HAProxy
 * on loopback, the printed URL opened in Chromium. Two devices on different
 * nodes share texts both ways; a page on another origin joins over
 * long-polling only; `make cluster-stop` ends exactly what was started.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { haproxyCommand } from '../../server/ops/haproxy.ts';
import { localClusterLayout, readRecord, type Recorded } from '../../server/ops/local-cluster.ts';
import { isRunning } from '../../server/ops/process.ts';
import { clusterSkip } from '../../server/testing/cluster.ts';
import { PROJECT_ROOT } from '../../server/testing/harness.ts';
import { createSession, joinSession, openDevice, serveDemo, shareText, textItems, useChromium, type Credentials } from './browser.ts';

const run = promisify(execFile);
const chromium = useChromium();
const layout = localClusterLayout(PROJECT_ROOT);
const RUNTIME_API = 9999;
const ports = [
  ...layout.nodes.map((node) => node.port), layout.httpPort, layout.httpsPort, 8404, RUNTIME_API, layout.redisPort,
  ...Object.values(layout.swiftPorts),
];

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const connectionsOf = async (port: number) => ((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { connections: number }).connections;

const state: { url?: string; started?: Recorded[]; credentials?: Credentials; failure?: string } = {};

before(
  async () => {
    if (clusterSkip) return;
    const taken = [];
    for (const port of ports) if (await listening(port)) taken.push(port);
    if (taken.length > 0) {
      state.failure = `ports ${taken.join(', ')} are in use: stop what listens there (make cluster-stop) to run this test`;
      return;
    }
    const { stdout } = await run('make', ['--no-print-directory', 'cluster'], { cwd: PROJECT_ROOT, timeout: 150_000 });
    state.url = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
    state.started = await readRecord(layout);
  },
  { timeout: 160_000 },
);

after(
  async () => {
    if (state.started) await run('make', ['--no-print-directory', 'cluster-stop'], { cwd: PROJECT_ROOT, timeout: 60_000 });
  },
  { timeout: 70_000 },
);

const skip = clusterSkip || undefined;

test('through the printed URL, two devices on different nodes share texts both ways', { skip }, async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  assert.ok(state.url, state.failure ?? 'make cluster printed no URL');
  assert.equal(state.url, `http://localhost:${layout.httpPort}`);
  const laptop = await openDevice(t, browser, state.url);
  state.credentials = await createSession(laptop.page, 'Laptop');
  const counts = await Promise.all(layout.nodes.map((node) => connectionsOf(node.port)));
  const home = layout.nodes[counts.indexOf(1)]!;
  assert.deepEqual([...counts].sort(), [0, 0, 1], `the laptop is on one node: ${counts}`);

  // The session's node takes no new connections for a moment (HAProxy's runtime API), so the phone lands elsewhere.
  await haproxyCommand(RUNTIME_API, `set server sharethings_nodes/${home.name} state drain`);
  const phone = await openDevice(t, browser, state.url);
  await joinSession(phone.page, state.credentials, 'Phone');
  await haproxyCommand(RUNTIME_API, `set server sharethings_nodes/${home.name} state ready`);
  const after = await Promise.all(layout.nodes.map((node) => connectionsOf(node.port)));
  assert.equal(after[counts.indexOf(1)], 1, 'the laptop stayed where it was');
  assert.equal(after.filter((count) => count === 1).length, 2, `the phone is on another node: ${after}`);

  await shareText(laptop.page, 'From the laptop, via one node');
  await textItems(phone.page).getByText('From the laptop, via one node').waitFor();
  await shareText(phone.page, 'From the phone, via another');
  await textItems(laptop.page).getByText('From the phone, via another').waitFor();
  assert.deepEqual([...laptop.realErrors(), ...phone.realErrors()], []);
});

test('a page on another origin joins through the cluster over long-polling only', { skip }, async (t) => {
  const browser = chromium.browser;
  if (!browser) return t.skip(chromium.skip);
  assert.ok(state.url && state.credentials, 'the previous test made a session');
  const demoPort = await serveDemo(t);
  // WebSockets blocked, as some networks do (every WebSocket is refused): Socket.IO falls back to
  // long-polling, whose requests must each reach the node that holds the connection.
  const embedded = await openDevice(t, browser, `http://127.0.0.1:${demoPort}/?server=${encodeURIComponent(state.url)}`, {
    init: `{ const Native = window.WebSocket; window.WebSocket = function (url, protocols) { return new Native('ws://127.0.0.1:9/', protocols); }; }`,
  });
  await joinSession(embedded.page, state.credentials, 'Web page');
  const laptop = await openDevice(t, browser, state.url);
  await joinSession(laptop.page, state.credentials, 'Laptop again');
  await shareText(laptop.page, 'To the embedded page');
  await textItems(embedded.page).getByText('To the embedded page').waitFor();
  const transports = await embedded.page.evaluate(() =>
    performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/socket.io/')),
  );
  assert.ok(transports.length > 2 && transports.every((name) => name.includes('transport=polling')), transports.join('\n'));
  assert.deepEqual(embedded.realErrors(), []);
});

test('make cluster-stop ends exactly the processes make cluster started', { skip }, async () => {
  assert.ok(state.started && state.started.length === layout.nodes.length + 6, `recorded: ${state.started?.map((p) => p.name)}`);
  const { stdout } = await run('make', ['--no-print-directory', 'cluster-stop'], { cwd: PROJECT_ROOT, timeout: 60_000 });
  assert.match(stdout, new RegExp(`Stopped the cluster \\(${state.started.length} processes\\)`));
  for (const process of state.started) assert.equal(isRunning(process.pid), false, `${process.name} (pid ${process.pid}) still runs`);
  for (const port of ports) assert.equal(await listening(port), false, `port ${port} is free again`);
  state.started = undefined;
});
