/** Item operations (remove, clear, pin, rename) reach every member, persist, and keep names secret. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, tempDir } from '../../server/testing/harness.ts';
import { freePort, startServerAt } from '../../server/testing/fixed-port.ts';
import { collect, newClient, next, randomData, sha256 } from './test-helpers.ts';
import type { ReceivedItem, ShareClient } from './index.ts';

const items = (client: ShareClient, count: number) =>
  new Promise<ReceivedItem[]>((resolve) => {
    const seen: ReceivedItem[] = [];
    client.on('content', (item) => seen.push(item) === count && resolve(seen));
  });

test('Remove, clear, pin and rename reach every member as events and survive a restart', async (t) => {
  const port = await freePort();
  const dataDir = await tempDir(t);
  const first = await startServerAt(t, port, dataDir);
  const url = first.url;
  const [alice, bob, carol] = ['Alice', 'Bob', 'Carol'].map((name) => newClient(t, url, name)) as [ShareClient, ShareClient, ShareClient];
  for (const client of [alice, bob, carol]) await client.join('ops', 'test passphrase');
  const atBob = items(bob, 4);
  const atCarol = items(carol, 4);
  const file = randomData(700_000);
  const a = await alice.shareText('A', { name: 'a.txt' });
  const b = await alice.shareText('B', { name: 'b.txt' });
  const c = await alice.shareText('C', { name: 'c.txt' });
  const f = await alice.shareFile(file, { name: 'original.bin', type: 'application/octet-stream' });
  const bobsItems = await atBob;
  await atCarol;

  // Pin (by Bob): Alice and Carol are told, Bob's own call resolves.
  const pinnedAtAlice = next(alice, 'content-updated');
  const pinnedAtCarol = next(carol, 'content-updated');
  await bob.pin(a.contentId, true);
  assert.deepEqual(await pinnedAtAlice, { contentId: a.contentId, pinned: true, name: 'a.txt' });
  assert.deepEqual(await pinnedAtCarol, { contentId: a.contentId, pinned: true, name: 'a.txt' });
  assert.equal(bobsItems.find((i) => i.contentId === a.contentId)!.pinned, true);

  // Rename (by Carol): the others get the decrypted new name; items already received show it.
  const renamedAtAlice = next(alice, 'content-updated');
  const renamedAtBob = next(bob, 'content-updated');
  await carol.rename(f.contentId, 'renamed.bin');
  assert.deepEqual(await renamedAtAlice, { contentId: f.contentId, pinned: false, name: 'renamed.bin' });
  assert.deepEqual(await renamedAtBob, { contentId: f.contentId, pinned: false, name: 'renamed.bin' });
  assert.equal(bobsItems.find((i) => i.contentId === f.contentId)!.name, 'renamed.bin');

  // Remove (by Alice): Bob and Carol are told.
  const removedAtBob = next(bob, 'content-removed');
  const removedAtCarol = next(carol, 'content-removed');
  await alice.remove(b.contentId);
  assert.deepEqual(await removedAtBob, { contentId: b.contentId });
  assert.deepEqual(await removedAtCarol, { contentId: b.contentId });
  await assert.rejects(alice.remove(b.contentId), { code: 'NOT_FOUND' });

  // A restart: all of it is on disk.
  const rejoined = [alice, bob, carol].map((client) => next(client, 'session-rejoined'));
  await first.app.close();
  const second = await startServerAt(t, port, dataDir);
  await Promise.all(rejoined);
  const dave = newClient(t, url, 'Dave');
  const { history } = await dave.join('ops', 'test passphrase');
  assert.deepEqual(
    history.items.map((i) => [i.contentId, i.name, i.pinned]),
    [
      [a.contentId, 'a.txt', true],
      [f.contentId, 'renamed.bin', false],
      [c.contentId, 'c.txt', false],
    ],
  );
  assert.equal(sha256(await history.items[1]!.bytes()), sha256(file));

  // Clear (by Bob): everyone else is told, and a restart does not bring anything back.
  const cleared = [alice, carol, dave].map((client) => next(client, 'content-cleared'));
  assert.equal(await bob.clear(), 3);
  assert.deepEqual(await Promise.all(cleared), [{}, {}, {}]);
  const again = [alice, bob, carol, dave].map((client) => next(client, 'session-rejoined'));
  await second.app.close();
  await startServerAt(t, port, dataDir);
  await Promise.all(again);
  const eve = newClient(t, url, 'Eve');
  assert.deepEqual((await eve.join('ops', 'test passphrase')).history, { items: [], hasMore: false });
});

test('A member that was away catches up on rejoin: removals, renames, pins and new items', async (t) => {
  const server = await startServer(t);
  let bobMayConnect = true;
  server.app.io.engine.opts.allowRequest = (req, callback) => callback(null, bobMayConnect || !req.url?.includes('who=bob'));
  const alice = newClient(t, server.url, 'Alice');
  const bob = newClient(t, server.url, 'Bob', { socketOptions: { query: { who: 'bob' } } });
  await alice.join('away', 'test passphrase');
  await bob.join('away', 'test passphrase');
  const atBob = items(bob, 2);
  const x = await alice.shareText('X', { name: 'x.txt' });
  const y = await alice.shareFile(randomData(300_000), { name: 'y.bin', type: '' });
  await atBob;

  bobMayConnect = false;
  const away = next(bob, 'disconnect');
  server.app.io.sockets.sockets.get(bob.id!)!.conn.close();
  await away;
  await alice.remove(x.contentId);
  await alice.rename(y.contentId, 'y renamed.bin');
  await alice.pin(y.contentId, true);
  const z = await alice.shareText('Z, shared while Bob was away');

  const removed = collect(bob, 'content-removed');
  const updated = collect(bob, 'content-updated');
  const fresh = next(bob, 'content');
  const rejoin = next(bob, 'rejoin');
  bobMayConnect = true;
  const info = await rejoin;
  assert.deepEqual(removed, [{ contentId: x.contentId }]);
  assert.deepEqual(updated, [{ contentId: y.contentId, pinned: true, name: 'y renamed.bin' }]);
  const item = await fresh;
  assert.equal(item.contentId, z.contentId);
  assert.equal(await item.text(), 'Z, shared while Bob was away');
  assert.deepEqual(info.history.items.map((i) => [i.contentId, i.name, i.pinned]), [
    [y.contentId, 'y renamed.bin', true],
    [z.contentId, '', false],
  ]);
});

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

test('The data directory holds no plaintext, no file name and no passphrase', async (t) => {
  const dataDir = await tempDir(t);
  const server = await startServer(t, { DATA_DIR: dataDir });
  const passphrase = 'correct horse battery staple';
  const marker = 'PLAINTEXT-MARKER-5d1e';
  const alice = newClient(t, server.url, 'Alice-the-sender');
  const bob = newClient(t, server.url, 'Bob');
  await alice.join('stored-secrets', passphrase);
  await bob.join('stored-secrets', passphrase);
  const atBob = items(bob, 3);
  const pdf = Buffer.from(`%PDF-1.7\n${marker}\n${'x'.repeat(400_000)}\n%%EOF\n`);
  const short = await alice.shareText(`note: ${marker}`);
  await alice.shareText(`${marker}\n`.repeat(5000)); // too long to go inline: stored as chunks
  const file = await alice.shareFile(new Uint8Array(pdf), { name: 'secret-plans.pdf', type: 'application/pdf' });
  await alice.rename(short.contentId, `${marker} about secret-plans.pdf`);
  await alice.pin(file.contentId, true);
  const received = await atBob;
  assert.equal(sha256(await received[2]!.bytes()), sha256(pdf));
  await server.app.close(); // everything written

  const files = await filesUnder(dataDir);
  const contents = await Promise.all(files.map((file) => readFile(file)));
  const total = contents.reduce((sum, bytes) => sum + bytes.length, 0);
  assert.ok(total > pdf.length, `the ciphertext is there (${files.length} files, ${total} bytes)`);
  // The search works: what the server may know (a display name) is found in clear.
  assert.ok(contents.some((bytes) => bytes.includes('Alice-the-sender')), 'control: the display name is stored');
  for (const secret of [marker, 'secret-plans.pdf', passphrase, 'application/pdf']) {
    for (let at = 0; at + 8 <= secret.length; at++) {
      const piece = secret.slice(at, at + 8);
      for (const [index, bytes] of contents.entries()) {
        assert.ok(!bytes.includes(piece), `${files[index]} holds "${piece}" of "${secret}"`);
      }
    }
  }
});
