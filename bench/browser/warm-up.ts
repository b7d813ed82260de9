/**
 * Warming each run's server before the measured transfer (bench/browser.ts
 * --warm-up): a server in use has compiled its hot paths, where a fresh one
 * spends part of its first transfer compiling them (perf showed V8's
 * optimizing compiler at 15 % of the ShareThings server's CPU during a first
 * 512 MiB between browsers). Both servers relay the same bytes first: the
 * app's between two Node SDK clients (bench/transfer/peer.ts), the bare relay
 * between two ws clients. The pages stay fresh, as for a person's first share.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW } from '../../client/sdk/index.ts';
import { spawnTs, stopAll } from '../lib/proc.ts';
import { wsCopyOf } from '../relay/ws-copy.ts';
import type { TransferPeerOptions, TransferReceiverResult, TransferSenderResult } from '../transfer/common.ts';

const TIMEOUT_MS = 60_000;

/** `bytes` shared from one SDK client to another through the app's server at `url`. */
export async function warmShareThings(url: string, bytes: number): Promise<void> {
  const common = { url, sessionId: `warm-up-${randomUUID()}`, size: bytes, chunkSize: DEFAULT_CHUNK_SIZE, window: DEFAULT_WINDOW, timeoutMs: TIMEOUT_MS };
  const receiver = spawnTs('bench/transfer/peer.ts', { label: 'warm-up receiver', options: { ...common, role: 'receiver' } satisfies TransferPeerOptions });
  const peers = [receiver];
  try {
    await receiver.ready(); // joined first: it creates the session
    const sender = spawnTs('bench/transfer/peer.ts', { label: 'warm-up sender', options: { ...common, role: 'sender' } satisfies TransferPeerOptions });
    peers.push(sender);
    await sender.ready();
    sender.send('go');
    const [sent, received] = await Promise.all([
      sender.result<TransferSenderResult>(TIMEOUT_MS),
      receiver.result<TransferReceiverResult>(TIMEOUT_MS),
    ]);
    if (received.sha256 !== sent.sha256) throw new Error('warm-up: the bytes received differ from those sent');
  } finally {
    await stopAll(peers, 2_000);
  }
}

/** `bytes` in chunk-sized messages from one ws client to another through the bare relay on `port` (window as the pages'). */
export async function warmBareRelay(port: number, bytes: number): Promise<void> {
  const { WebSocket } = wsCopyOf('engine.io-client');
  const open = () =>
    new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/relay`);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  const [sender, receiver] = [await open(), await open()];
  try {
    const chunk = Buffer.alloc(DEFAULT_CHUNK_SIZE, 7);
    const count = Math.ceil(bytes / chunk.length);
    const received = new Promise<void>((resolve) => {
      let got = 0;
      receiver.on('message', () => {
        if (++got === count) resolve();
      });
    });
    let sent = 0;
    let inflight = 0;
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        while (inflight < DEFAULT_WINDOW && sent < count) {
          inflight++;
          sent++;
          sender.send(chunk);
        }
        if (sent === count && inflight === 0) resolve();
      };
      sender.on('message', () => {
        inflight--;
        pump();
      });
      sender.once('error', reject);
      pump();
    });
    await received;
  } finally {
    for (const socket of [sender, receiver]) socket.terminate();
  }
}
