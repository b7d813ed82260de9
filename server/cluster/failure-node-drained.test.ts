/**
 * A node is drained during an upload, the way an operator does it: HAProxy's
 * runtime API takes it out of rotation (`set server ... state drain`: new
 * connections go elsewhere, open ones stay), then SIGTERM stops it. Its
 * clients move to another node with no error shown, the upload carries on
 * there, and the sweeper, running every 200 ms with a 2 s abandon time,
 * discards nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { MiB, hashStream, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import type { ReceivedItem, ShareClient } from '../../client/sdk/index.ts';
import { haproxyCommand, serverStates } from '../ops/haproxy.ts';
import { clusterSkip, startTestCluster, startTestHaproxy } from '../testing/cluster.ts';
import type { ServerProcess } from '../testing/server-process.ts';

const SIZE = 80 * MiB;

const connectionsOf = async (node: ServerProcess) => ((await (await fetch(`${node.url}/healthz`)).json()) as { connections: number }).connections;

function uploaded(client: ShareClient, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on('progress', (p) => {
      if (p.direction === 'upload' && p.bytes >= bytes) {
        off();
        resolve();
      }
    });
  });
}

test('a node drained mid-upload: its clients move without an error, the upload completes elsewhere, nothing is swept', { skip: clusterSkip }, async (t) => {
  // The sweeper would discard an upload idle for 2 s: the move must be quicker than that.
  const cluster = await startTestCluster(t, { SWEEP_INTERVAL: '200ms', UPLOAD_ABANDON_AFTER: '2s', DRAIN_TIMEOUT: '10s' });
  const nodes = { node1: await cluster.nodeProcess(t, 'node1'), node2: await cluster.nodeProcess(t, 'node2'), node3: await cluster.nodeProcess(t, 'node3') };
  const proxy = await startTestHaproxy(t, nodes);

  const [alice, bob] = [newClient(t, proxy.url, 'Alice'), newClient(t, proxy.url, 'Bob')];
  const shown: unknown[] = [];
  for (const client of [alice, bob]) {
    client.on('error', (error) => shown.push(error));
    client.on('session-rejoin-failed', (error) => shown.push(error));
    await client.join('drained', 'test passphrase');
  }
  const counts = await Promise.all(Object.values(nodes).map(connectionsOf));
  const [homeName, home] = Object.entries(nodes).find((_, i) => counts[i] === 2)!;

  // Out of rotation: a newcomer to the same session goes elsewhere, the open connections stay.
  await haproxyCommand(proxy.ports.runtime, `set server sharethings_nodes/${homeName} state drain`);
  assert.equal((await serverStates(proxy.ports.runtime)).get(homeName), 'DRAIN');
  const carol = newClient(t, proxy.url, 'Carol');
  await carol.join('drained', 'test passphrase');
  assert.equal(await connectionsOf(home), 2, 'the newcomer was sent to another node');

  const data = randomData(SIZE);
  const arrival = next(bob, 'content').then((item) => hashStream(item as ReceivedItem));
  let sent = 0;
  alice.on('progress', (p) => p.direction === 'upload' && (sent = p.bytes));
  const upload = alice.shareFile(data, { name: 'drained.bin', type: 'application/octet-stream' });
  await uploaded(alice, 2 * MiB);

  // Then stopped: it waits for HAProxy to see it unready, tells its clients, and exits cleanly.
  const moved = [alice, bob].map((client) => next(client, 'rejoin'));
  const sentWhenMoved = moved[0]!.then(() => sent);
  const drainedAt = Date.now();
  home.child.kill('SIGTERM');
  const [code] = (await once(home.child, 'exit')) as [number | null];
  assert.equal(code, 0, 'the drained node exited cleanly');
  await Promise.all(moved);
  const movedMs = Date.now() - drainedAt;

  await upload;
  assert.ok((await sentWhenMoved) < SIZE, 'the upload was still going when its node stopped');
  assert.equal((await arrival).digest, sha256(data), 'Bob received the upload whole');
  assert.deepEqual(shown, [], 'no error was shown to anyone');

  // One item, complete and intact: the sweeps during the move (every 200 ms) discarded nothing.
  const items = (await carol.history()).items as ReceivedItem[];
  assert.deepEqual(items.map((item) => [item.name, item.complete]), [['drained.bin', true]]);
  assert.equal((await hashStream(items[0]!)).digest, sha256(data));
  t.diagnostic(`drained ${homeName}: its clients re-joined elsewhere ${movedMs} ms after SIGTERM, ${((await sentWhenMoved) / MiB).toFixed(1)} MiB into the upload`);
});
