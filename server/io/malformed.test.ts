import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { encode } from '@msgpack/msgpack';
import { ERROR_CODES } from '../../protocol/errors.ts';
import { Encoder } from '../../protocol/parser.ts';
import { connect, joinAs, nextEvent, startServer, type TestServer } from '../testing/harness.ts';
import { FUZZ_EVENTS, invalidPayloads } from '../testing/fuzz-payloads.ts';

const SEED = 20261126;

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? typeof value;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

async function emitAll(socket: Awaited<ReturnType<typeof connect>>, event: string, payloads: unknown[]) {
  const codes = new Map<string, number>();
  for (let i = 0; i < payloads.length; i += 100) {
    const batch = payloads.slice(i, i + 100);
    const acks = await Promise.all(
      batch.map((payload) => (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }).emitWithAck(event, payload)),
    );
    acks.forEach((ack, j) => {
      let answer = ack as { success: boolean; code?: string; results?: Array<{ success: boolean; code?: string }> };
      // A well-formed batch succeeds; the broken message inside it must not.
      if (event === 'batch' && answer.success && answer.results?.length === 1) answer = answer.results[0]!;
      if (answer.success !== false) assert.fail(`${event} accepted ${describe(batch[j])}`);
      assert.ok((ERROR_CODES as readonly string[]).includes(answer.code ?? ''), `${event} answered code ${answer.code}`);
      codes.set(answer.code!, (codes.get(answer.code!) ?? 0) + 1);
    });
  }
  return codes;
}

async function stillExchanging(server: TestServer, a: Awaited<ReturnType<typeof connect>>, b: Awaited<ReturnType<typeof connect>>, id: string) {
  const arrived = nextEvent(b, 'content');
  const ack = await a.emitWithAck('content', {
    sessionId: 'legit',
    content: { contentId: id, totalChunks: 0, encryptedDescriptor: randomBytes(16), iv: randomBytes(12) },
  });
  assert.equal(ack.success, true);
  assert.equal((await arrived).content.contentId, id);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
}

test('thousands of malformed payloads each get an error code, and members keep sharing', async (t) => {
  // The per-connection event budget would otherwise (rightly) answer RATE_LIMITED.
  const server = await startServer(t, { EVENTS_PER_SOCKET: '1000000' });
  const alice = await joinAs(t, server, 'legit', 'Alice');
  const bob = await joinAs(t, server, 'legit', 'Bob');
  const fuzzer = await connect(t, server);

  let total = 0;
  for (const [index, event] of FUZZ_EVENTS.entries()) {
    const payloads = invalidPayloads(event, 300, SEED + index);
    const codes = await emitAll(fuzzer, event, payloads);
    total += payloads.length;
    // Some variants are valid (an optional field dropped, a typed array of a valid byte length):
    // then the next check answers (UNAUTHORIZED without a challenge, NOT_IN_SESSION, ...).
    assert.ok((codes.get('INVALID_PAYLOAD') ?? 0) >= payloads.length * 0.6, `${event}: ${JSON.stringify([...codes])}`);
    await stillExchanging(server, alice.socket, bob.socket, `after-${event}`);
  }
  const unknown = await emitAll(fuzzer, 'no-such-event', [1, 'x', {}, null]);
  assert.deepEqual([...unknown.keys()], ['UNKNOWN_EVENT']);
  const asError = await emitAll(fuzzer, 'error', [{}]);
  assert.deepEqual([...asError.keys()], ['UNKNOWN_EVENT']);
  assert.ok(total >= 4000, `sent ${total}`);
  assert.equal(fuzzer.connected, true);
});

/** Opens a raw Engine.IO websocket and waits for the open packet. */
async function rawSocket(server: TestServer): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', (data) => (String(data).startsWith('0') ? resolve() : reject(new Error(String(data)))));
    ws.once('error', reject);
  });
  return ws;
}

/**
 * Sends one frame, then a valid CONNECT: resolves when the server either
 * answers the CONNECT (frame tolerated) or closes the connection (frame refused).
 */
async function sendFrame(server: TestServer, frame: Buffer | string): Promise<'closed' | 'tolerated'> {
  const ws = await rawSocket(server);
  try {
    const outcome = new Promise<'closed' | 'tolerated'>((resolve) => {
      ws.once('close', () => resolve('closed'));
      ws.on('message', (data, isBinary) => {
        if (isBinary) resolve('tolerated');
      });
    });
    ws.send(frame);
    ws.send(new Encoder().encode({ type: 0, nsp: '/' })[0]!);
    return await outcome;
  } finally {
    ws.terminate();
  }
}

test('malformed raw Engine.IO and msgpack frames close only their own connection', async (t) => {
  // 320 connections from one address: more handshakes than one address may make by default.
  const server = await startServer(t, { HANDSHAKES_PER_ADDRESS: '100000', OPEN_CONNECTIONS_PER_ADDRESS: '100000' });
  const alice = await joinAs(t, server, 'legit', 'Alice');
  const bob = await joinAs(t, server, 'legit', 'Bob');

  const frames: Array<Buffer | string> = [
    Buffer.from(encode({ type: 0, nsp: 123 })),
    Buffer.from(encode({ type: 0, nsp: '/', data: [1] })),
    Buffer.from(encode({ type: 0, nsp: '/', data: 'str' })),
    Buffer.from(encode({ type: 2, nsp: '/', data: ['join', {}], id: -1 })),
    Buffer.from(encode({ type: 2, nsp: '/', data: [{ evil: true }] })),
    Buffer.from(encode({ type: 2, nsp: '/', data: ['disconnect'] })),
    Buffer.from(encode({ type: 9, nsp: '/' })),
    Buffer.from(encode([0, '/'])),
    Buffer.from(encode(null)),
    Buffer.from(encode(JSON.parse('{"__proto__": {"type": 0}, "nsp": "/"}'))),
    Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0xc6, 0x7f, 0xff, 0xff, 0xff, 0x00]),
    Buffer.concat([Buffer.alloc(10_000, 0x91), Buffer.from([0xc0])]),
    Buffer.alloc(0),
    '4',
    '4{"type":0}',
    '4\u0000garbage',
    '9',
    'not an engine.io packet',
    'x'.repeat(100_000),
  ];
  for (let i = 0; i < 300; i++) frames.push(randomBytes(1 + (i % 97) * 13));

  const outcomes = { closed: 0, tolerated: 0 };
  for (const frame of frames) outcomes[await sendFrame(server, frame)] += 1;
  assert.equal(outcomes.closed + outcomes.tolerated, frames.length);
  assert.ok(outcomes.closed >= frames.length - 30, `closed ${outcomes.closed} of ${frames.length}`);

  await stillExchanging(server, alice.socket, bob.socket, 'after-raw-frames');
});
