/**
 * The network between one node and Redis is cut for 30 s (a proxy holds
 * every byte, as a cut link would): that node stops acknowledging (nothing is
 * committed without Redis), the others find it dead and tell its members'
 * sessions, its clients keep retrying; when the link heals, the node learns
 * it was found dead (its heartbeats, even those delivered late, no longer
 * count), sends its clients to reconnect, and everything they shared is
 * stored once, with nothing written twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MiB, hashStream, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import type { ReceivedItem } from '../../client/sdk/index.ts';
import { waitUntil } from '../ops/process.ts';
import { clusterSkip, startTestCluster } from '../testing/cluster.ts';
import { startFaultProxy } from '../testing/fault-proxy.ts';
import { metric } from '../testing/fixed-port.ts';

const CUT_MS = 30_000;

test('a node cut off from Redis for 30 s commits nothing meanwhile, is found dead, and its clients end up stored once', { skip: clusterSkip }, async (t) => {
  const cluster = await startTestCluster(t);
  const link = await startFaultProxy(t, cluster.redis.port);
  const cutOff = await cluster.node(t, 'node1', { REDIS_URL: `redis://${link.address}` });
  const other = await cluster.node(t, 'node2');
  const alice = newClient(t, cutOff.url, 'Alice');
  const bob = newClient(t, other.url, 'Bob');
  await alice.join('cut', 'test passphrase');
  await bob.join('cut', 'test passphrase');
  const aliceId = alice.id;

  const data = randomData(6 * MiB);
  link.set('blackhole');
  const cutAt = Date.now();
  // Bob, on the node that still has Redis, sees Alice leave once her node is found dead.
  const left = next(bob, 'client-left', ({ id }) => id === aliceId);
  const sharing = alice.shareFile(data, { name: 'across-a-cut.bin', type: 'application/octet-stream' });
  sharing.catch(() => undefined); // awaited below
  const text = alice.shareText('written during the cut');
  text.catch(() => undefined);
  await left;
  const foundDead = Date.now() - cutAt;

  // Nothing is acknowledged while the node cannot reach Redis.
  let unavailable = 0;
  await waitUntil(
    async () => (unavailable = await metric(cutOff.url, 'sharethings_errors_total', { code: 'UNAVAILABLE' })) > 0,
    CUT_MS / 2,
    () => 'requests answered UNAVAILABLE on the cut-off node',
  );
  await new Promise((resolve) => setTimeout(resolve, CUT_MS - (Date.now() - cutAt)));
  link.set('pass');

  // Alice's client is sent to reconnect (her node was found dead) and finishes what it was doing.
  const arrival = next(bob, 'content', (item) => item.kind === 'file');
  await sharing;
  await text;
  assert.equal((await hashStream((await arrival) as ReceivedItem)).digest, sha256(data));
  assert.notEqual(alice.id, aliceId, 'Alice came back on a new connection');

  // Stored once each, complete.
  const carol = newClient(t, other.url, 'Carol');
  const items = (await carol.join('cut', 'test passphrase')).history.items as ReceivedItem[];
  assert.deepEqual(items.map((item) => [item.kind, item.complete]).sort(), [['file', true], ['text', true]]);
  assert.equal(await items.find((item) => item.kind === 'text')!.text(), 'written during the cut');
  await waitUntil(async () => (await carol.history()).items.length === 2, 1_000, () => 'two items');
  t.diagnostic(`node1 found dead ${foundDead} ms after the cut; ${unavailable} requests answered UNAVAILABLE meanwhile`);
});
