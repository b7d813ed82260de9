/**
 * A load process of bench/connections.ts: opens its share of the clients
 * (socket.io-client, our parser, websocket only, no reconnection) with a
 * bounded number of attempts in flight, each connecting and joining its
 * session (ShareThings: join-challenge, then join with a proof signed with
 * keys derived once per session beforehand); reports `ramped`, holds every
 * connection until told `stop`, then reports latencies.
 */
import { io, type Socket } from 'socket.io-client';
import * as parser from '../../protocol/parser.ts';
import { signJoinProof, type SessionKeys } from '../../protocol/crypto/index.ts';
import { childOptions, deadline, fail, finish, nowNs, sendReady } from '../lib/child.ts';
import { BENCH_PASSPHRASE, Commands, fastKeys, sendEvent, thin } from '../lib/load.ts';
import type { ConnectionLoadOptions, ConnectionLoadResult, ConnectionRampEvent } from './common.ts';

const options = childOptions<ConnectionLoadOptions>();
deadline(options.timeoutMs, `connections load ${options.first}`);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));
const commands = new Commands();

const MAX_SAMPLES = 20_000;
const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

const indices: number[] = [];
for (let i = options.first; i < options.total; i += options.step) indices.push(i);
const sessionOf = (index: number) => `${options.sessionPrefix}-${Math.floor(index / options.clientsPerSession)}`;

// Keys once per session, before the ramp: the ramp measures connecting and joining, not PBKDF2.
const keys = new Map<string, SessionKeys>();
if (options.variant === 'sharethings') {
  for (const sessionId of new Set(indices.map(sessionOf))) keys.set(sessionId, await fastKeys(sessionId, BENCH_PASSPHRASE));
}

const sockets: Socket[] = [];
const connectMs: number[] = [];
const joinMs: number[] = [];
const errors: string[] = [];
let failed = 0;

async function ack<T extends object>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const response = (await socket.timeout(30_000).emitWithAck(event, payload)) as { success: boolean; code?: string; error?: string } & T;
  if (!response.success) throw new Error(`${event} refused: ${response.code} ${response.error}`);
  return response;
}

async function open(index: number): Promise<void> {
  const started = nowNs();
  const socket = io(options.url, { transports: ['websocket'], parser, reconnection: false, forceNew: true, timeout: 30_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const connected = nowNs();
    const sessionId = sessionOf(index);
    if (options.variant === 'sharethings') {
      const sessionKeys = keys.get(sessionId)!;
      const { challenge } = await ack<{ challenge: Uint8Array }>(socket, 'join-challenge', { sessionId });
      const proof = await signJoinProof(sessionKeys, sessionId, new Uint8Array(challenge));
      await ack(socket, 'join', { sessionId, clientName: `client-${index}`, verifier: sessionKeys.authPublicKey, proof });
    } else {
      await ack(socket, 'join', sessionId);
    }
    connectMs.push((connected - started) / 1e6);
    joinMs.push((nowNs() - connected) / 1e6);
    sockets.push(socket);
  } catch (error) {
    failed += 1;
    if (errors.length < 5) errors.push(`client ${index}: ${(error as Error).message}`);
    socket.disconnect();
  }
}

await sendReady();
await commands.next('go');
const cpuStart = cpuNow();
const rampStartNs = nowNs();
const rampDeadline = performance.now() + options.rampLimitMs;
let next = 0;
let lastReport = performance.now();
await new Promise<void>((resolve) => {
  let inFlight = 0;
  const pump = () => {
    while (inFlight < options.concurrency && next < indices.length && performance.now() < rampDeadline) {
      inFlight += 1;
      void open(indices[next++]!).finally(() => {
        inFlight -= 1;
        if (performance.now() - lastReport > 2_000) {
          lastReport = performance.now();
          process.stderr.write(`${sockets.length} connected, ${failed} failed\n`);
        }
        pump();
      });
    }
    if (inFlight === 0) resolve();
  };
  pump();
});
const ramped: ConnectionRampEvent = { connected: sockets.length, failed, rampStartNs, rampEndNs: nowNs(), cpuSeconds: cpuNow() - cpuStart };
await sendEvent('ramped', ramped);

await commands.next('stop');
const stillConnected = sockets.filter((socket) => socket.connected).length;
for (const socket of sockets) socket.disconnect();
const result: Omit<ConnectionLoadResult, 'peakRssBytes'> = {
  ...ramped,
  stillConnected,
  connectMs: thin(connectMs, MAX_SAMPLES),
  joinMs: thin(joinMs, MAX_SAMPLES),
  errors,
};
await finish(result);
