/**
 * Several nodes sharing Redis and Swift's S3 API, each a real app, with real
 * SDK clients: any node serves any session, and nothing depends on which
 * node a member is connected to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MiB, hashStream, newClient, next, randomData, sha256 } from '../../client/sdk/test-helpers.ts';
import { ShareError, type ReceivedItem } from '../../client/sdk/index.ts';
import { clusterSkip, startTestCluster } from '../testing/cluster.ts';
import { connect, join } from '../testing/harness.ts';

const skip = clusterSkip;

test('Two clients on different nodes share text and 20 MB files both ways; a late joiner on a third node gets the history', { skip }, async (t) => {
  const cluster = await startTestCluster(t);
  const [one, two, three] = [await cluster.node(t, 'node1'), await cluster.node(t, 'node2'), await cluster.node(t, 'node3')];
  const alice = newClient(t, one.url, 'Alice');
  const bob = newClient(t, two.url, 'Bob');
  await alice.join('across', 'test passphrase');
  const bobJoined = next(alice, 'client-joined');
  const bobInfo = await bob.join('across', 'test passphrase');
  assert.deepEqual(bobInfo.clients.map((c) => c.name), ['Alice', 'Bob']);
  assert.equal((await bobJoined).name, 'Bob', 'Alice, on node1, saw Bob join on node2');

  const text = next(bob, 'content');
  await alice.shareText('hello from node1');
  assert.equal(await (await text).text(), 'hello from node1');
  const reply = next(alice, 'content');
  await bob.shareText('hello from node2');
  assert.equal(await (await reply).text(), 'hello from node2');

  const fromAlice = randomData(20 * MiB);
  const fromBob = randomData(20 * MiB + 77);
  const atBob = next(bob, 'content', (item) => item.kind === 'file').then(hashStream);
  const atAlice = next(alice, 'content', (item) => item.kind === 'file').then(hashStream);
  await Promise.all([
    alice.shareFile(fromAlice, { name: 'a.bin', type: 'application/octet-stream' }),
    bob.shareFile(fromBob, { name: 'b.bin', type: 'application/octet-stream' }),
  ]);
  assert.equal((await atBob).digest, sha256(fromAlice));
  assert.equal((await atAlice).digest, sha256(fromBob));

  const carol = newClient(t, three.url, 'Carol');
  const carolJoined = [next(alice, 'client-joined'), next(bob, 'client-joined')];
  const carolInfo = await carol.join('across', 'test passphrase');
  assert.deepEqual((await Promise.all(carolJoined)).map((p) => p.name), ['Carol', 'Carol']);
  assert.deepEqual(carolInfo.clients.map((c) => c.name), ['Alice', 'Bob', 'Carol']);
  const history = carolInfo.history.items as ReceivedItem[];
  assert.deepEqual(history.map((item) => item.kind).sort(), ['file', 'file', 'text', 'text']);
  for (const item of history) {
    if (item.kind !== 'file') continue;
    const { digest } = await hashStream(item);
    assert.equal(digest, sha256(item.name === 'a.bin' ? fromAlice : fromBob), `${item.name} through node3`);
  }

  const bobLeft = next(alice, 'client-left');
  const seenByCarol = next(carol, 'client-left');
  const bobId = bob.id;
  await bob.leave();
  assert.equal((await bobLeft).id, bobId);
  assert.equal((await seenByCarol).id, bobId);
});

test('A file uploaded through node A is read from history through node C after node A stopped', { skip }, async (t) => {
  const cluster = await startTestCluster(t);
  const a = await cluster.node(t, 'nodeA');
  const c = await cluster.node(t, 'nodeC');
  const alice = newClient(t, a.url, 'Alice');
  await alice.join('survives', 'test passphrase');
  const data = randomData(8 * MiB + 5);
  await alice.shareFile(data, { name: 'kept.bin', type: 'application/octet-stream' });
  alice.close();
  await a.app.close();

  const carol = newClient(t, c.url, 'Carol');
  const info = await carol.join('survives', 'test passphrase');
  const [item] = info.history.items as ReceivedItem[];
  assert.equal(item?.name, 'kept.bin');
  assert.equal((await hashStream(item!)).digest, sha256(data));
});

test('The join-failure limit is reached by failures spread over two nodes (then failing addresses are backed off), and a session quota holds across nodes', { skip }, async (t) => {
  const cluster = await startTestCluster(t, {
    JOIN_FAILURES_PER_SESSION: '3',
    JOIN_FAILURES_PER_ADDRESS: '100',
    SESSION_QUOTA_BYTES: String(3 * MiB),
  });
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  // The quota first (every client here is 127.0.0.1, and the failures below back that address off): 2 MB through node1 and 2 MB through node2 do not both fit in 3 MB.
  const quotaOwner = newClient(t, one.url, 'Q1');
  const other = newClient(t, two.url, 'Q2');
  await quotaOwner.join('quota', 'q');
  await other.join('quota', 'q');
  const first = await quotaOwner.shareFile(randomData(2 * MiB), { name: 'a', type: 'application/octet-stream' }).then(() => 'ok', (e: ShareError) => e.code);
  const second = await other.shareFile(randomData(2 * MiB), { name: 'b', type: 'application/octet-stream' }).then(() => 'ok', (e: ShareError) => e.code);
  assert.deepEqual([first, second], ['ok', 'QUOTA_EXCEEDED']);

  const owner = newClient(t, one.url, 'Owner');
  await owner.join('guarded', 'right passphrase');
  const wrong = async (url: string) => {
    const guesser = newClient(t, url, 'Mallory');
    return guesser.join('guarded', 'wrong guess').then(() => 'joined', (error: ShareError) => error.code);
  };
  // The right passphrase is never refused for the session's failures (the proof is checked first).
  const ownerOnTwo = newClient(t, two.url, 'Owner too');
  const admitted = () => ownerOnTwo.join('guarded', 'right passphrase').then(() => 'joined', (error: ShareError) => error.code);
  assert.deepEqual([await wrong(one.url), await wrong(two.url), await wrong(one.url)], ['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
  assert.equal(await wrong(two.url), 'UNAUTHORIZED', 'the fourth failure, on the other node, is over the session limit: its address is backed off');
  assert.equal(await wrong(two.url), 'RATE_LIMITED');
  assert.equal(await admitted(), 'RATE_LIMITED', 'from the backed-off address (every client here is 127.0.0.1), even the right passphrase waits');
});

test('Members per session and sessions per address are counted across nodes', { skip }, async (t) => {
  const cluster = await startTestCluster(t, { MEMBERS_PER_SESSION: '2', SESSIONS_CREATED_PER_ADDRESS: '2' });
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  assert.equal((await join(await connect(t, one), 'full', 'A')).success, true);
  assert.equal((await join(await connect(t, two), 'full', 'B')).success, true);
  const third = await join(await connect(t, one), 'full', 'C');
  assert.equal(!third.success && third.code, 'SESSION_FULL');
  // 'full' was the first session from this address; one more may be made, on either node.
  assert.equal((await join(await connect(t, two), 'second', 'A')).success, true);
  const tooMany = await join(await connect(t, one), 'third', 'A');
  assert.equal(!tooMany.success && tooMany.code, 'RATE_LIMITED');
});
