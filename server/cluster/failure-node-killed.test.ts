/**
 * A node is killed (kill -9) while its clients upload 50 MiB and download
 * 50 MiB: they reconnect through HAProxy to another node by themselves,
 * re-join, the upload resumes from what was committed, the download
 * completes, both with the same SHA-256; nothing is duplicated or missing;
 * the members of the dead node are shown as left to the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MiB, hashStream, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import type { ReceivedItem, ShareClient } from '../../client/sdk/index.ts';
import { clusterSkip, startTestCluster, startTestHaproxy } from '../testing/cluster.ts';
import type { ServerProcess } from '../testing/server-process.ts';

const SIZE = 50 * MiB;

const connectionsOf = async (node: ServerProcess) => ((await (await fetch(`${node.url}/healthz`)).json()) as { connections: number }).connections;

/** Resolves once `client` has moved `bytes` in `direction` for any transfer. */
function progressed(client: ShareClient, direction: 'upload' | 'download', bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on('progress', (p) => {
      if (p.direction === direction && p.bytes >= bytes) {
        off();
        resolve();
      }
    });
  });
}

test('kill -9 of a node during a 50 MiB upload and a 50 MiB download loses nothing', { skip: clusterSkip }, async (t) => {
  const cluster = await startTestCluster(t);
  const nodes = { node1: await cluster.nodeProcess(t, 'node1'), node2: await cluster.nodeProcess(t, 'node2'), node3: await cluster.nodeProcess(t, 'node3') };
  const proxy = await startTestHaproxy(t, nodes);

  // Stored first: what Bob will be downloading when the node dies.
  const stored = randomData(SIZE);
  const carol = newClient(t, proxy.url, 'Carol');
  await carol.join('survive', 'test passphrase');
  await carol.shareFile(stored, { name: 'stored.bin', type: 'application/octet-stream' });

  const [alice, bob] = [newClient(t, proxy.url, 'Alice'), newClient(t, proxy.url, 'Bob')];
  await alice.join('survive', 'test passphrase');
  const bobInfo = await bob.join('survive', 'test passphrase');
  const counts = await Promise.all(Object.values(nodes).map(connectionsOf));
  const [homeName, home] = Object.entries(nodes).find((_, i) => counts[i] === 3)!;
  const other = Object.values(nodes).find((node) => node !== home)!;

  // Someone on another node, to see who leaves.
  const dave = newClient(t, other.url, 'Dave');
  await dave.join('survive', 'test passphrase');
  const doomed = new Set([alice.id, bob.id, carol.id]);
  const left = new Map<string, number>();
  dave.on('client-left', ({ id }) => doomed.has(id) && left.set(id, Date.now()));

  const uploaded = randomData(SIZE);
  const download = hashStream(bobInfo.history.items[0] as ReceivedItem);
  const liveAtBob = next(bob, 'content').then((item) => hashStream(item as ReceivedItem));
  const upload = alice.shareFile(uploaded, { name: 'uploaded.bin', type: 'application/octet-stream' });
  await Promise.all([progressed(alice, 'upload', 15 * MiB), progressed(bob, 'download', 15 * MiB)]);

  await home.kill9();
  const killedAt = Date.now();
  await upload;
  assert.equal((await download).digest, sha256(stored), 'the download completed through another node');
  assert.equal((await liveAtBob).digest, sha256(uploaded), 'the upload completed and reached Bob');
  assert.notEqual(alice.id, undefined);
  assert.ok(![...doomed].includes(alice.id), 'Alice is on a new connection');

  // Dave saw the dead node's members leave, within 15 s of the kill.
  const deadline = killedAt + 15_000;
  while (left.size < doomed.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(left.size, doomed.size, `left: ${left.size} of ${doomed.size}`);
  for (const at of left.values()) assert.ok(at - killedAt < 15_000);

  // History: exactly the two items, both complete and intact, read through yet another connection.
  const erin = newClient(t, other.url, 'Erin');
  const items = (await erin.join('survive', 'test passphrase')).history.items as ReceivedItem[];
  assert.deepEqual(items.map((item) => [item.name, item.complete]).sort(), [['stored.bin', true], ['uploaded.bin', true]]);
  for (const item of items) assert.equal((await hashStream(item)).digest, sha256(item.name === 'stored.bin' ? stored : uploaded));
  t.diagnostic(`killed ${homeName}; Dave saw ${left.size} members leave within ${Math.max(...left.values()) - killedAt} ms`);
});
