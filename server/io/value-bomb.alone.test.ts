import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { joinAs, nextEvent, tempDir, type ClientSocket } from '../testing/harness.ts';
import { asTestServer, spawnServer } from '../testing/server-process.ts';
import { PROJECT_ROOT } from '../testing/harness.ts';

const MiB = 1024 * 1024;

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Polls /healthz about every 50 ms until stopped; returns the slowest answer in ms. */
function watchHealth(url: string): { stop(): Promise<{ slowest: number; polls: number }> } {
  let running = true;
  const done = (async () => {
    let slowest = 0;
    let polls = 0;
    while (running) {
      const started = performance.now();
      const response = await fetch(`${url}/healthz`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      polls += 1;
      await delay(50);
    }
    return { slowest, polls };
  })();
  return {
    stop() {
      running = false;
      return done;
    },
  };
}

/**
 * Starts server/testing/value-bomber.ts in its own process and waits until its
 * connections are open; `go()` starts the attack and resolves with its report.
 */
async function bomber(t: TestContext, port: number, connections: number, times: number, kind: 'bomb' | 'under') {
  const script = path.join(PROJECT_ROOT, 'server', 'testing', 'value-bomber.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port), String(connections), String(times), kind], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'open');
  return {
    async go(): Promise<{ closed: number }> {
      child.stdin!.write('go\n');
      return JSON.parse((await lines.next()).value as string) as { closed: number };
    },
  };
}

async function exchangeText(alice: ClientSocket, bob: ClientSocket, id: string): Promise<void> {
  const arrived = nextEvent(bob, 'content');
  const ack = await alice.timeout(5000).emitWithAck('content', {
    sessionId: 'legit',
    content: { contentId: id, totalChunks: 0, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
  });
  assert.equal(ack.success, true);
  assert.equal((await arrived).content.contentId, id);
}

test('20 connections sending 4 MB value bombs are closed; the server stays responsive and its memory bounded', async (t) => {
  const dataDir = await tempDir(t);
  const server = await spawnServer(t, { DATA_DIR: dataDir, CONNECTIONS_PER_ADDRESS: '1000' });
  const target = asTestServer(server, dataDir);
  const alice = (await joinAs(t, target, 'legit', 'Alice')).socket;
  const bob = (await joinAs(t, target, 'legit', 'Bob')).socket;
  await exchangeText(alice, bob, 'before');
  const baseRss = await rss(server.child.pid!);

  const quiet = watchHealth(server.url);
  for (let round = 0; round < 20; round++) await exchangeText(alice, bob, `quiet-${round}`);
  const baseline = await quiet.stop();
  const bombers = await bomber(t, server.port, 20, 15, 'bomb');
  const grinders = await bomber(t, server.port, 4, 0, 'under');
  const health = watchHealth(server.url);
  let peakRss = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, await rss(server.child.pid!));
      await delay(20);
    }
  })();
  // The attackers run in a process of their own, so their work (masking 80 MB) is not counted as the server's.
  const bombs = bombers.go();
  for (let round = 0; round < 5; round++) await exchangeText(alice, bob, `during-${round}`);
  assert.deepEqual(await bombs, { closed: 20 });
  // Many messages each just under the cap: the per-connection budget closes them too.
  assert.deepEqual(await grinders.go(), { closed: 4 });
  sampling = false;
  await sampler;
  await exchangeText(alice, bob, 'after');
  const { slowest, polls } = await health.stop();
  const finalRss = await rss(server.child.pid!);
  t.diagnostic(`RSS ${(baseRss / MiB).toFixed(0)} MiB before, peak ${(peakRss / MiB).toFixed(0)}, after ${(finalRss / MiB).toFixed(0)}; /healthz slowest ${slowest.toFixed(1)} ms over ${polls} polls (${baseline.slowest.toFixed(1)} ms over ${baseline.polls} before the attack)`);
  assert.ok(peakRss < baseRss + 100 * MiB && finalRss < baseRss + 100 * MiB, `RSS ${baseRss} -> ${peakRss} / ${finalRss}`);
  assert.ok(slowest < 100, `/healthz took ${slowest} ms`);
  assert.ok(polls >= 3);
  assert.equal(server.child.exitCode, null);
});
