/**
 * The object store goes away during an upload (its connections reset, then
 * black-holed): chunks are answered UNAVAILABLE with a retry time, the SDK
 * sends them again, and the upload completes once the store is back, every
 * acknowledged chunk kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MiB, hashStream, heldBlob, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import type { ReceivedItem } from '../../client/sdk/index.ts';
import { clusterSkip, startTestCluster } from '../testing/cluster.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { metric } from '../testing/fixed-port.ts';

test('An upload survives the object store being unreachable and completes when it returns', { skip: clusterSkip }, async (t) => {
  let store!: FaultProxy;
  const cluster = await startTestCluster(t, { S3_REQUEST_TIMEOUT: '1s' }, {
    s3Port: async (port) => (store = await startFaultProxy(t, port)).port,
  });
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  const alice = newClient(t, one.url, 'Alice');
  const bob = newClient(t, two.url, 'Bob');
  await alice.join('storeless', 'test passphrase');
  await bob.join('storeless', 'test passphrase');

  const data = randomData(16 * MiB);
  // Half of it can be read at once (two 4 MiB slabs: a Blob is read a slab at a time); the rest waits until the store has gone.
  const { blob, release } = heldBlob(data, 8 * MiB);
  const acknowledged: number[] = [];
  alice.on('progress', (p) => p.direction === 'upload' && acknowledged.push(p.bytes));
  const arrival = next(bob, 'content');
  const sharing = alice.shareFile(blob, { name: 'through-an-outage.bin', type: 'application/octet-stream' });
  await new Promise<void>((resolve) => {
    const off = alice.on('progress', (p) => {
      if (p.direction === 'upload' && p.bytes >= 5 * MiB) {
        off();
        resolve();
      }
    });
  });

  // Down: every connection to the store is reset, then black-holed (a cut link), then back.
  store.set('reset');
  release();
  const refused = async () => metric(one.url, 'sharethings_errors_total', { code: 'UNAVAILABLE' });
  for (let i = 0; i < 200 && (await refused()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok((await refused()) > 0, 'chunks were answered UNAVAILABLE while the store was down');
  store.set('blackhole');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  store.set('pass');

  await sharing;
  const item = (await arrival) as ReceivedItem;
  assert.equal((await hashStream(item)).digest, sha256(data));
  // Nothing acknowledged went missing: the history through the other node is complete and intact.
  const carol = newClient(t, two.url, 'Carol');
  const info = await carol.join('storeless', 'test passphrase');
  const [stored] = info.history.items as ReceivedItem[];
  assert.equal(stored?.complete, true);
  assert.equal((await hashStream(stored!)).digest, sha256(data));
  assert.deepEqual(acknowledged, [...acknowledged].sort((a, b) => a - b), 'progress never went back');
});
