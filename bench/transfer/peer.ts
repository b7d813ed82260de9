/**
 * One end of an SDK transfer (bench/transfer.ts), in its own process: a
 * ShareClient that joins the session, then either shares one file streamed
 * from a pseudo-random generator (never in memory as a whole; SHA-256 taken
 * as it is produced), or receives it with item.stream() and hashes it chunk
 * by chunk.
 */
import { createHash } from 'node:crypto';
// The Node entry, as Node programs get it (its ShareClient seals and opens chunks with node:crypto).
import { ShareClient, type ReceivedItem } from '../../client/sdk/node.ts';
import { MaskInPlaceWebSocket } from '../../client/sdk/node-websocket.ts';
import { deadline, fail, finish, nowNs, sendReady, waitForGo, childOptions } from '../lib/child.ts';
import { BENCH_PASSPHRASE, RandomStream, fastKeys } from '../lib/load.ts';
import type { TransferPeerOptions, TransferReceiverResult, TransferSenderResult } from './common.ts';

const options = childOptions<TransferPeerOptions>();
deadline(options.timeoutMs, `transfer ${options.role}`);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));

const cpuNow = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

const client = new ShareClient({
  url: options.url,
  clientName: options.role,
  deriveKeys: fastKeys,
  chunkSize: options.chunkSize,
  window: options.window,
  socketOptions: { transports: [MaskInPlaceWebSocket], reconnection: false },
});
client.on('error', (error) => void fail(error));
client.on('disconnect', ({ reason }) => void fail(new Error(`disconnected: ${reason}`)));

async function send(): Promise<void> {
  await client.join(options.sessionId, BENCH_PASSPHRASE);
  await sendReady();
  await waitForGo();
  const cpuStart = cpuNow();
  const hash = createHash('sha256');
  const random = new RandomStream(options.chunkSize);
  let inputNs = 0;
  let produced = 0;
  async function* input(): AsyncGenerator<Uint8Array> {
    while (produced < options.size) {
      const started = nowNs();
      const piece = random.next(Math.min(options.chunkSize, options.size - produced));
      hash.update(piece);
      produced += piece.length;
      inputNs += nowNs() - started;
      yield piece;
    }
  }
  const startNs = nowNs();
  await client.shareFile(input(), { name: 'bench.bin', type: 'application/octet-stream', size: options.size });
  const result: Omit<TransferSenderResult, 'peakRssBytes'> = {
    startNs,
    endNs: nowNs(),
    sha256: hash.digest('hex'),
    bytes: produced,
    inputSeconds: inputNs / 1e9,
    cpuSeconds: cpuNow() - cpuStart,
  };
  await finish(result);
}

async function receive(): Promise<void> {
  const arrived = new Promise<ReceivedItem>((resolve) => {
    const off = client.on('content', (item) => {
      off();
      resolve(item);
    });
  });
  await client.join(options.sessionId, BENCH_PASSPHRASE);
  await sendReady();
  const item = await arrived;
  const cpuStart = cpuNow();
  const announcedNs = nowNs();
  if (item.size !== options.size) throw new Error(`announced ${item.size} bytes, expected ${options.size}`);
  const hash = createHash('sha256');
  let hashNs = 0;
  let bytes = 0;
  let chunks = 0;
  let firstChunkNs = 0;
  for await (const chunk of item.stream()) {
    const started = nowNs();
    if (chunks === 0) firstChunkNs = started;
    hash.update(chunk);
    bytes += chunk.length;
    chunks += 1;
    hashNs += nowNs() - started;
  }
  const result: Omit<TransferReceiverResult, 'peakRssBytes'> = {
    announcedNs,
    firstChunkNs,
    lastChunkNs: nowNs(),
    sha256: hash.digest('hex'),
    bytes,
    chunks,
    hashSeconds: hashNs / 1e9,
    cpuSeconds: cpuNow() - cpuStart,
  };
  await finish(result);
}

try {
  await (options.role === 'sender' ? send() : receive());
} catch (error) {
  await fail(error);
}
