/** The admin UI, /metrics and /healthz of a cluster's nodes: each names its node, shared figures say they are shared. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { io } from 'socket.io-client';
import { clusterSkip, startTestCluster } from '../testing/cluster.ts';
import { metric } from '../testing/fixed-port.ts';
import { joinAs } from '../testing/harness.ts';

const ADMIN = { ADMIN_USERNAME: 'operator', ADMIN_PASSWORD_HASH: bcrypt.hashSync('correct admin password', 4) };

test('the admin UI sees every node by its NODE_ID, and metrics are labelled by node and scope', { skip: clusterSkip }, async (t) => {
  const cluster = await startTestCluster(t, ADMIN);
  const one = await cluster.node(t, 'node1');
  const two = await cluster.node(t, 'node2');
  await joinAs(t, one, 'watched', 'Alice');
  await joinAs(t, two, 'watched', 'Bob');

  const admin = io(`${two.url}/admin`, { auth: { username: 'operator', password: 'correct admin password' }, transports: ['websocket'], reconnection: false, forceNew: true });
  t.after(() => admin.disconnect());
  // Each node's statistics reach the admin UI through Redis, whichever node it is connected to.
  const seen = await new Promise<Set<string>>((resolve) => {
    const ids = new Set<string>();
    admin.on('server_stats', (stats: { serverId: string }) => {
      ids.add(stats.serverId);
      if (ids.size === 2) resolve(ids);
    });
  });
  assert.deepEqual([...seen].sort(), ['node1', 'node2']);

  for (const [node, name] of [[one, 'node1'], [two, 'node2']] as const) {
    assert.equal(await metric(node.url, 'sharethings_sessions_stored', { scope: 'cluster', node: name }), 1, `${name}: the same shared figure`);
    assert.equal(await metric(node.url, 'sharethings_sessions_active', { scope: 'node', node: name }), 1, `${name}: its own member`);
    const health = (await (await fetch(`${node.url}/healthz`)).json()) as { node: string; storedSessions: number; redis: string };
    assert.deepEqual([health.node, health.storedSessions, health.redis], [name, 1, 'up']);
  }
});
