/**
 * Three nodes behind the shipped haproxy.cfg: long-polling stays on its node
 * without cookies, a session's members meet on one node, and a node that is
 * shut down hands its clients to the others without an error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as stockParser from 'socket.io-msgpack-parser';
import { newClient, next } from '../../client/sdk/test-helpers.ts';
import { clusterSkip, startTestCluster, startTestHaproxy } from '../testing/cluster.ts';
import { connect, join, nextEvent, type ClientSocket, type TestServer } from '../testing/harness.ts';

const skip = clusterSkip;

const connectionsOf = async (node: TestServer) => ((await (await fetch(`${node.url}/healthz`)).json()) as { connections: number }).connections;

test('Long-polling and stock msgpack clients stay on their node through HAProxy, without a cookie', { skip }, async (t) => {
  const cluster = await startTestCluster(t);
  const nodes = { node1: await cluster.node(t, 'node1'), node2: await cluster.node(t, 'node2'), node3: await cluster.node(t, 'node3') };
  const proxy = await startTestHaproxy(t, nodes);
  const front = { ...nodes.node1, url: proxy.url, port: proxy.ports.http };

  const handshake = await fetch(`${proxy.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(handshake.headers.get('set-cookie'), null, 'no cookie: an embedded page on another site gets no third-party cookie');
  assert.match(await handshake.text(), /"sid":"node[123]\./, 'the Engine.IO id names the node that holds it');

  // Stock clients send no affinity key: round robin spreads them over the nodes.
  const clients: ClientSocket[] = [];
  for (let i = 0; i < 6; i++) {
    const client = await connect(t, front, { transports: ['polling'], parser: stockParser, upgrade: false });
    assert.equal((await join(client, 'polling', `P${i}`)).success, true);
    clients.push(client);
  }
  const spread = await Promise.all(Object.values(nodes).map(connectionsOf));
  assert.ok(spread.filter((count) => count > 0).length >= 2, `connections per node: ${spread}`);

  // Every long-polling request found its node: each client hears the others, whichever node they are on.
  for (const [index, sender] of clients.entries()) {
    const arrivals = clients.filter((c) => c !== sender).map((c) => nextEvent(c, 'content'));
    const ack = await sender.emitWithAck('content', {
      sessionId: 'polling',
      content: { contentId: `c${index}`, totalChunks: 0, encryptedDescriptor: randomBytes(2_000), iv: randomBytes(12) },
    });
    assert.equal(ack.success, true);
    for (const arrival of await Promise.all(arrivals)) assert.equal(arrival.content.contentId, `c${index}`);
  }
});

test('A session\'s members meet on one node; when it shuts down they move to another without an error', { skip }, async (t) => {
  const cluster = await startTestCluster(t, { DRAIN_TIMEOUT: '5s' });
  const nodes = { node1: await cluster.node(t, 'node1'), node2: await cluster.node(t, 'node2'), node3: await cluster.node(t, 'node3') };
  const proxy = await startTestHaproxy(t, nodes);
  const members = ['Alice', 'Bob', 'Carol'].map((name) => newClient(t, proxy.url, name));
  const failures: unknown[] = [];
  for (const member of members) {
    member.on('error', (error) => failures.push(error));
    member.on('session-rejoin-failed', (error) => failures.push(error));
    await member.join('together', 'test passphrase');
  }
  const counts = await Promise.all(Object.values(nodes).map(connectionsOf));
  assert.deepEqual([...counts].sort(), [0, 0, 3], `the affinity key sent all three to one node: ${counts}`);
  const [name, home] = Object.entries(nodes).find((_, i) => counts[i] === 3)!;

  // An observer on another node: told about the shutdown? It must not be.
  const other = Object.values(nodes).find((node) => node !== home)!;
  const observer = await connect(t, other);
  let observerTold = false;
  observer.on('server-shutdown', () => (observerTold = true));

  const rejoined = members.map((member) => next(member, 'rejoin'));
  const drained = home.app.close();
  await Promise.all(rejoined);
  await drained;
  const after = await Promise.all(Object.entries(nodes).filter(([n]) => n !== name).map(([, node]) => connectionsOf(node)));
  assert.equal(after.reduce((a, b) => a + b, 0), 3 + 1, 'the three moved to the nodes left (the observer is there too)');

  const arrival = next(members[2]!, 'content');
  await members[0]!.shareText('still here');
  assert.equal(await (await arrival).text(), 'still here');
  assert.deepEqual(failures, []);
  assert.equal(observerTold, false, 'server-shutdown went only to the clients of the node shutting down');
});
