import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { ERROR_CODES } from '../protocol/errors.ts';
import { joinAs, nextEvent, tempDir, type ClientSocket } from './testing/harness.ts';
import { asTestServer, spawnServer, type ServerProcess } from './testing/server-process.ts';
import { FUZZ_EVENTS, PACKET_VALUES, arrayBomb, deepArray, invalidPayload, packetWith, wideMap } from './testing/fuzz-payloads.ts';
import { MAX_BATCH_MESSAGES, MAX_DESCRIPTOR_BYTES, MAX_HISTORY_PAGE, MAX_INBOUND_VALUES } from '../protocol/limits.ts';
import { RawClient } from './testing/raw-client.ts';
import { Inspector } from './testing/inspector.ts';

const PAYLOADS = 96_000;
const FRAMES = 4_000;
const WAVE = 500;
const MiB = 1024 * 1024;

// Limits high enough that the fuzz is answered by validation, not by the rate limiter.
const UNLIMITED = {
  EVENTS_PER_SOCKET: '100000000',
  BYTES_PER_SOCKET: String(1024 ** 4),
  CONNECTIONS_PER_ADDRESS: '1000000',
  HANDSHAKES_PER_ADDRESS: '1000000',
  OPEN_CONNECTIONS_PER_ADDRESS: '1000000',
  JOINS_PER_ADDRESS: '1000000',
  JOINS_PER_SESSION: '1000000',
  JOIN_FAILURES_PER_ADDRESS: '1000000',
  JOIN_FAILURES_PER_SESSION: '1000000',
  SESSIONS_CREATED_PER_ADDRESS: '1000000',
};

const anyPayloadFor = fc.constantFrom(...FUZZ_EVENTS, 'no-such-event', 'error').chain((event) =>
  (FUZZ_EVENTS.includes(event as never) ? invalidPayload(event as never) : fc.anything()).map((payload) => ({ event, payload })),
);

const rawFrame = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
  fc
    .record({ type: fc.integer({ min: -2, max: 8 }), nsp: fc.oneof(fc.constant('/'), fc.anything()), data: fc.anything({ maxDepth: 3 }), id: fc.anything() }, { requiredKeys: [] })
    .map((packet) => Buffer.from(encode(packet, { ignoreUndefined: true }))),
  fc.tuple(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '9', ''), fc.string({ maxLength: 200 })).map(([type, text]) => type + text),
);

function checkAnswer(event: string, answer: unknown, codes: Map<string, number>): void {
  let response = answer as { success?: unknown; code?: unknown; results?: unknown[] };
  if (event === 'batch' && response.success === true && Array.isArray(response.results)) {
    for (const inner of response.results) checkAnswer('inner', inner, codes);
    return;
  }
  assert.equal(typeof response.success, 'boolean', `${event}: ${JSON.stringify(answer)}`);
  if (response.success === false) {
    assert.ok((ERROR_CODES as readonly string[]).includes(response.code as string), `${event} answered ${String(response.code)}`);
    codes.set(response.code as string, (codes.get(response.code as string) ?? 0) + 1);
  }
}

async function stillExchanging(alice: ClientSocket, bob: ClientSocket, round: number): Promise<void> {
  const arrived = nextEvent(bob, 'content');
  const ack = await alice.timeout(20_000).emitWithAck('content', {
    sessionId: 'legit',
    content: { contentId: `legit-${round}`, totalChunks: 0, encryptedDescriptor: randomBytes(64), iv: randomBytes(12) },
  });
  assert.equal(ack.success, true, `round ${round}`);
  assert.equal((await arrived).content.contentId, `legit-${round}`);
}

async function connections(server: ServerProcess): Promise<number> {
  return ((await (await fetch(`${server.url}/healthz`)).json()) as { connections: number }).connections;
}

test('100,000 generated payloads and raw frames: no crash, every request answered with a code, members keep sharing, heap returns', async (t) => {
  const dataDir = await tempDir(t);
  const server = await spawnServer(t, { DATA_DIR: dataDir, ...UNLIMITED }, { nodeArgs: ['--inspect=127.0.0.1:0'] });
  const inspector = await Inspector.attach(server.child, server.stderr);
  t.after(() => inspector.close());
  const target = asTestServer(server, dataDir);

  const alice = (await joinAs(t, target, 'legit', 'Alice')).socket;
  const bob = (await joinAs(t, target, 'legit', 'Bob')).socket;
  // A joined fuzzer reaches past the membership checks, into the store.
  const insider = (await joinAs(t, target, 'fuzz-room', 'Insider')).socket;
  for (let round = 0; round < 5; round++) await stillExchanging(alice, bob, round);
  const baselineHeap = await inspector.heapUsedAfterGc();

  const outsiders = await Promise.all([1, 2, 3].map(() => RawClient.open(server.port)));
  const senders: Array<(event: string, payload: unknown) => Promise<unknown>> = [
    ...outsiders.map((client) => (event: string, payload: unknown) => client.emitWithAck(event, payload)),
    (event, payload) => (insider.timeout(60_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload),
  ];
  const codes = new Map<string, number>();
  let sent = 0;
  for (let wave = 0; sent < PAYLOADS; wave++) {
    const inputs = fc.sample(anyPayloadFor, { seed: 1000 + wave, numRuns: WAVE });
    const answers = await Promise.all(inputs.map(({ event, payload }, i) => senders[i % senders.length]!(event, payload).then((answer) => ({ event, answer }))));
    for (const { event, answer } of answers) checkAnswer(event, answer, codes);
    sent += inputs.length;
    if (wave % 24 === 0) await stillExchanging(alice, bob, 100 + wave);
  }
  assert.equal(codes.get('INTERNAL') ?? 0, 0, 'no request ended in INTERNAL');
  for (const client of outsiders) client.close();

  const frames = fc.sample(rawFrame, { seed: 7, numRuns: FRAMES });
  let closedByServer = 0;
  for (let i = 0; i < frames.length; i += 16) {
    await Promise.all(
      frames.slice(i, i + 16).map(async (frame, j) => {
        const client = await RawClient.open(server.port, { connect: (i + j) % 2 === 0 });
        client.ws.send(frame);
        // Either the server closes the connection, or it still answers a request.
        const outcome = await Promise.race([client.closed.then(() => 'closed'), client.emitWithAck('join-challenge', { sessionId: 'probe' }).then(() => 'answered')]);
        if (outcome === 'closed') closedByServer += 1;
        client.close();
      }),
    );
    if (i % 800 === 0) await stillExchanging(alice, bob, 10_000 + i);
  }
  t.diagnostic(`sent ${sent} payloads and ${frames.length} raw frames; ${closedByServer} frames closed their connection; codes ${JSON.stringify([...codes])}`);
  assert.ok(sent + frames.length >= 100_000);

  // Everything the fuzzers opened is gone, and the heap is back where it started.
  insider.disconnect();
  while ((await connections(server)) > 2) await new Promise((resolve) => setImmediate(resolve));
  await stillExchanging(alice, bob, 99_999);
  const finalHeap = await inspector.heapUsedAfterGc();
  t.diagnostic(`heap after GC: ${(baselineHeap / MiB).toFixed(1)} MiB before, ${(finalHeap / MiB).toFixed(1)} MiB after`);
  assert.ok(finalHeap < baselineHeap + 16 * MiB, `heap grew from ${baselineHeap} to ${finalHeap}`);
  assert.equal(server.child.exitCode, null, 'the server is still running');
  assert.doesNotMatch(server.stderr(), /Unhandled|uncaught|"level":"error"/i);
});

test('messages of many small values just under the caps are answered, just over them closed; batches of large replies answered; the heap returns', async (t) => {
  const dataDir = await tempDir(t);
  const server = await spawnServer(t, { DATA_DIR: dataDir, ...UNLIMITED }, { nodeArgs: ['--inspect=127.0.0.1:0'] });
  const inspector = await Inspector.attach(server.child, server.stderr);
  t.after(() => inspector.close());
  const target = asTestServer(server, dataDir);
  const alice = (await joinAs(t, target, 'legit', 'Alice')).socket;
  const bob = (await joinAs(t, target, 'legit', 'Bob')).socket;
  // A session with a full history page of the largest descriptors (200 x 64 KiB).
  const filler = (await joinAs(t, target, 'fuzz-room', 'Filler')).socket;
  for (let i = 0; i < MAX_HISTORY_PAGE; i++) {
    const ack = await filler.emitWithAck('content', { sessionId: 'fuzz-room', content: { contentId: `big-${i}`, totalChunks: 0, encryptedDescriptor: randomBytes(MAX_DESCRIPTOR_BYTES), iv: randomBytes(12) } });
    assert.equal(ack.success, true);
  }
  await stillExchanging(alice, bob, 0);
  const baselineHeap = await inspector.heapUsedAfterGc();

  const room = MAX_INBOUND_VALUES - PACKET_VALUES;
  const shapes: Array<{ name: string; value: Uint8Array; closes: boolean }> = [
    { name: 'wide array under', value: arrayBomb(1, room - 2), closes: false },
    { name: 'wide array over', value: arrayBomb(1, room), closes: true },
    { name: 'deep-and-wide arrays under', value: arrayBomb(99, 99), closes: false },
    { name: 'deep-and-wide arrays over', value: arrayBomb(101, 99), closes: true },
    { name: 'wide map under', value: wideMap(Math.floor((room - 1) / 2)), closes: false },
    { name: 'wide map over', value: wideMap(Math.ceil(room / 2)), closes: true },
    { name: 'deep array under the depth limit', value: deepArray(60), closes: false },
    { name: 'deep array over the depth limit', value: deepArray(70), closes: true },
    { name: '4M empty arrays', value: arrayBomb(1000, 4000), closes: true },
  ];
  for (const { name, value, closes } of shapes) {
    const client = await RawClient.open(server.port);
    const answered = new Promise((resolve) => client.on('never', resolve));
    client.ws.send(packetWith('list-content', value));
    const outcome = await Promise.race([client.closed.then(() => 'closed'), client.emitWithAck('join-challenge', { sessionId: 'probe' }).then(() => 'answered'), answered]);
    assert.equal(outcome, closes ? 'closed' : 'answered', name);
    client.close();
  }

  // 50 history pages of 200 x 64 KiB in one batch: 640 MB if answered whole. Answered (or closed), never a crash.
  const pages = Array.from({ length: MAX_BATCH_MESSAGES }, () => ({ event: 'list-content', payload: { sessionId: 'fuzz-room', limit: MAX_HISTORY_PAGE } }));
  for (let i = 0; i < 3; i++) {
    const answer = (await filler.timeout(60_000).emitWithAck('batch', pages as never).catch(() => ({ success: false, code: 'TIMEOUT' }))) as { success: boolean; results?: Array<{ success: boolean; code?: string }> };
    assert.equal(answer.success, true);
    const codes = new Set(answer.results!.map((result) => (result.success ? 'OK' : result.code)));
    t.diagnostic(`batch of large pages: ${JSON.stringify([...codes])}`);
    assert.ok(codes.has('OK'));
  }
  await stillExchanging(alice, bob, 1);
  const finalHeap = await inspector.heapUsedAfterGc();
  t.diagnostic(`heap after GC: ${(baselineHeap / MiB).toFixed(1)} MiB before, ${(finalHeap / MiB).toFixed(1)} MiB after`);
  assert.ok(finalHeap < baselineHeap + 16 * MiB, `heap grew from ${baselineHeap} to ${finalHeap}`);
  assert.equal(server.child.exitCode, null, 'the server is still running');
});
