/**
 * Processes of bench/fanout.ts: the sender (one connection) or a group of
 * receivers (many connections in this one process), for either variant.
 * The sender writes its clock (CLOCK_MONOTONIC, same machine) into the first
 * 8 bytes of each chunk as the chunk enters the pipeline (SDK: when the
 * ShareClient reads it from the input, i.e. once a window slot is free;
 * ws-raw: when it is sent); each receiver takes the difference when it reads
 * the chunk (SDK: from item.stream(), decrypted and verified).
 */
import { ShareClient, type ReceivedItem } from '../../client/sdk/index.ts';
import { MaskInPlaceWebSocket } from '../../client/sdk/node-websocket.ts';
import { childOptions, deadline, fail, finish, nowNs, sendReady, waitForGo } from '../lib/child.ts';
import { BENCH_PASSPHRASE, RandomStream, fastKeys, thin } from '../lib/load.ts';
import { wsCopyOf } from '../relay/ws-copy.ts';
import { STAMP_BYTES, type FanoutPeerOptions, type FanoutReceiversResult, type FanoutSenderResult } from './common.ts';

const options = childOptions<FanoutPeerOptions>();
deadline(options.timeoutMs, `fanout ${options.variant} ${options.role}`);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));

const MAX_LATENCIES = 100_000;
const totalChunks = Math.ceil(options.size / options.chunkSize);
const chunkLength = (index: number) => Math.min(options.chunkSize, options.size - index * options.chunkSize);
const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

function stamp(piece: Buffer): Buffer {
  if (piece.length >= STAMP_BYTES) piece.writeDoubleLE(nowNs(), 0);
  return piece;
}

function readStamp(chunk: Uint8Array): number | undefined {
  if (chunk.length < STAMP_BYTES) return undefined;
  return new DataView(chunk.buffer, chunk.byteOffset, STAMP_BYTES).getFloat64(0, true);
}

function newClient(name: string): ShareClient {
  const client = new ShareClient({
    url: options.url,
    clientName: name,
    deriveKeys: fastKeys,
    chunkSize: options.chunkSize,
    window: options.window,
    socketOptions: { transports: [MaskInPlaceWebSocket], reconnection: false },
  });
  client.on('error', (error) => void fail(error));
  client.on('disconnect', ({ reason }) => void fail(new Error(`${name} disconnected: ${reason}`)));
  return client;
}

async function sdkSender(): Promise<void> {
  const client = newClient('sender');
  await client.join(options.sessionId, BENCH_PASSPHRASE);
  await sendReady();
  await waitForGo();
  const cpuStart = cpuNow();
  const random = new RandomStream(options.chunkSize);
  // Exactly one chunk per piece, so the ShareClient reads (and we stamp) chunk i when it wants chunk i.
  async function* input(): AsyncGenerator<Uint8Array> {
    for (let index = 0; index < totalChunks; index++) yield stamp(random.next(chunkLength(index)));
  }
  const startNs = nowNs();
  await client.shareFile(input(), { name: 'fanout.bin', type: 'application/octet-stream', size: options.size });
  const result: Omit<FanoutSenderResult, 'peakRssBytes'> = { startNs, endNs: nowNs(), chunks: totalChunks, cpuSeconds: cpuNow() - cpuStart };
  await finish(result);
}

interface Tally {
  bytes: number;
  chunks: number;
  lastNs: number;
}

function receiversResult(tallies: Tally[], latencies: number[], cpuStart: number): Omit<FanoutReceiversResult, 'peakRssBytes'> {
  return {
    receivers: tallies.map((t) => ({ bytes: t.bytes, chunks: t.chunks, lastNs: t.lastNs })),
    latenciesMs: thin(latencies, MAX_LATENCIES),
    latencyCount: latencies.length,
    cpuSeconds: cpuNow() - cpuStart,
  };
}

async function sdkReceivers(): Promise<void> {
  const tallies: Tally[] = [];
  const latencies: number[] = [];
  const done: Array<Promise<void>> = [];
  const read = async (item: ReceivedItem, tally: Tally) => {
    if (item.size !== options.size) throw new Error(`announced ${item.size} bytes, expected ${options.size}`);
    for await (const chunk of item.stream()) {
      const at = nowNs();
      const sent = readStamp(chunk);
      if (sent !== undefined) latencies.push((at - sent) / 1e6);
      tally.bytes += chunk.length;
      tally.chunks += 1;
      tally.lastNs = at;
    }
  };
  // Joined a few at a time: the whole group is in the session before the sender starts.
  const clients: ShareClient[] = [];
  for (let index = 0; index < options.receivers; index++) {
    const client = newClient(`receiver-${options.firstIndex + index}`);
    const tally: Tally = { bytes: 0, chunks: 0, lastNs: 0 };
    tallies.push(tally);
    done.push(new Promise<void>((resolve, reject) => {
      const off = client.on('content', (item) => {
        off();
        read(item, tally).then(resolve, reject);
      });
    }));
    clients.push(client);
  }
  for (let at = 0; at < clients.length; at += 10) {
    await Promise.all(clients.slice(at, at + 10).map((client) => client.join(options.sessionId, BENCH_PASSPHRASE)));
  }
  const cpuStart = cpuNow();
  await sendReady();
  await Promise.all(done);
  await finish(receiversResult(tallies, latencies, cpuStart));
}

async function wsOpen(role: 'sender' | 'receiver'): Promise<import('ws').WebSocket> {
  const { WebSocket } = wsCopyOf('engine.io-client');
  const socket = new WebSocket(`${options.url.replace(/^http/, 'ws')}/?role=${role}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('close', () => void fail(new Error(`${role}: connection closed`)));
  return socket;
}

async function wsSender(): Promise<void> {
  const socket = await wsOpen('sender');
  const random = new RandomStream(options.chunkSize);
  await sendReady();
  await waitForGo();
  const cpuStart = cpuNow();
  const startNs = nowNs();
  let sent = 0;
  let acked = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < totalChunks && sent - acked < options.window) socket.send(stamp(random.next(chunkLength(sent++))), { binary: true });
    };
    socket.on('message', () => {
      acked += 1;
      if (acked === totalChunks) resolve();
      else pump();
    });
    pump();
  });
  const result: Omit<FanoutSenderResult, 'peakRssBytes'> = { startNs, endNs: nowNs(), chunks: totalChunks, cpuSeconds: cpuNow() - cpuStart };
  await finish(result);
}

async function wsReceivers(): Promise<void> {
  const tallies: Tally[] = [];
  const latencies: number[] = [];
  const done: Array<Promise<void>> = [];
  for (let index = 0; index < options.receivers; index++) {
    const socket = await wsOpen('receiver');
    const tally: Tally = { bytes: 0, chunks: 0, lastNs: 0 };
    tallies.push(tally);
    done.push(new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const at = nowNs();
        const sent = readStamp(data);
        if (sent !== undefined) latencies.push((at - sent) / 1e6);
        tally.bytes += data.length;
        tally.chunks += 1;
        tally.lastNs = at;
        if (tally.chunks === totalChunks) resolve();
      });
    }));
  }
  const cpuStart = cpuNow();
  await sendReady();
  await Promise.all(done);
  await finish(receiversResult(tallies, latencies, cpuStart));
}

try {
  if (options.variant === 'sdk') await (options.role === 'sender' ? sdkSender() : sdkReceivers());
  else await (options.role === 'sender' ? wsSender() : wsReceivers());
} catch (error) {
  await fail(error);
}
