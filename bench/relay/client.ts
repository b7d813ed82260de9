/**
 * One relay client process: the sender or the receiver of bench/relay.ts.
 *
 * Both connect (and, for ShareThings, pass join-challenge + join) and print a
 * ready line. The sender then waits for `go`, sends `messages` chunks of
 * `chunkSize` bytes keeping at most `window` unacknowledged by the server (the
 * protocol's flow control, PROTOCOL.md §6.2; the raw ws server acks each
 * message the same way), and reports when it sent the first and got the last
 * ack. The receiver reports when the first and the last chunk arrived.
 * Times are CLOCK_MONOTONIC nanoseconds, comparable between processes.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import * as stockParser from 'socket.io-msgpack-parser';
import * as ourParser from '../../protocol/parser.ts';
import { MaskInPlaceWebSocket } from '../../client/sdk/node-websocket.ts';
import type { AckResponse, JoinResult } from '../../protocol/events.ts';
import { MAX_TOTAL_CHUNKS } from '../../protocol/limits.ts';
import { deriveSessionKeys, signJoinProof } from '../../protocol/crypto/index.ts';
import { childOptions, deadline, fail, finish, nowNs, sendReady, waitForGo } from '../lib/child.ts';
import { BENCH_PASSPHRASE, BENCH_PBKDF2_ITERATIONS, type RelayClientOptions, type ReceiverResult, type SenderResult } from './common.ts';
import { wsCopyOf } from './ws-copy.ts';
import { RandomStream } from '../lib/load.ts';

const options = childOptions<RelayClientOptions>();
const { role, variant, url, room, chunkSize, messages, window } = options;
deadline(options.timeoutMs, `${variant} ${role}`);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));

function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** What the sender and the receiver need from a connection, whatever the variant. */
interface Link {
  /** Sends chunk `index`; `onAck` runs when the server acknowledged it. */
  send(index: number, payload: Buffer, onAck: () => void): void;
  /** Chunks sent again after a RATE_LIMITED answer. */
  rateLimited(): number;
  /** Chunks the receiver had to fetch (ShareThings' slow-receiver path). */
  fetched(): number;
  /** Calls `onChunk` with the size of each relayed chunk. */
  onChunk(onChunk: (bytes: number) => void): void;
}

type AnySocket = Socket;

/** fetch-chunk requests a receiver keeps in flight. */
const FETCH_WINDOW = 16;

async function emitWithAck<T extends object>(socket: AnySocket, event: string, payload: unknown): Promise<T> {
  const response = (await socket.timeout(10_000).emitWithAck(event, payload)) as AckResponse<T>;
  if (!response.success) throw new Error(`${event} refused: ${response.code} ${response.error}`);
  return response;
}

function connectSocketIo(): Promise<AnySocket> {
  const parser = variant === 'sio-default' ? undefined : variant === 'sio-msgpack' ? stockParser : ourParser;
  // sio-ours and sharethings: the WebSocket transport of ShareThings' Node clients; the others (sio-ours-copy too): stock.
  const ownTransport = variant === 'sio-ours' || variant === 'sharethings';
  const socket = io(url, {
    transports: ownTransport ? [MaskInPlaceWebSocket] : ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(parser ? { parser: parser as never } : {}),
  });
  socket.on('disconnect', (reason) => void fail(new Error(`disconnected: ${reason}`)));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function joinShareThings(socket: AnySocket): Promise<void> {
  const keys = await deriveSessionKeys(room, BENCH_PASSPHRASE, BENCH_PBKDF2_ITERATIONS);
  const { challenge } = await emitWithAck<{ challenge: Uint8Array }>(socket, 'join-challenge', { sessionId: room });
  const proof = await signJoinProof(keys, room, new Uint8Array(challenge));
  await emitWithAck<JoinResult>(socket, 'join', { sessionId: room, clientName: role, verifier: keys.authPublicKey, proof });
}

/** Socket.IO variants: the real protocol's payloads; ShareThings also needs each item announced. */
async function socketIoLink(): Promise<Link> {
  const socket = await connectSocketIo();
  const sharethings = variant === 'sharethings';
  if (sharethings) await joinShareThings(socket);
  else await emitWithAck(socket, 'join', room);
  socket.on('error', (payload: { code?: string; message?: string }) => void fail(new Error(`server error: ${payload.code} ${payload.message}`)));
  socket.on('content-cancelled', (payload: { code?: string }) => void fail(new Error(`content cancelled: ${payload.code}`)));

  // An item has at most MAX_TOTAL_CHUNKS chunks; larger runs are split into several items.
  const itemOf = (index: number) => Math.floor(index / MAX_TOTAL_CHUNKS);
  const totalChunksOf = (item: number) => Math.min(MAX_TOTAL_CHUNKS, messages - item * MAX_TOTAL_CHUNKS);
  const announce = (item: number) =>
    emitWithAck(socket, 'content', {
      sessionId: room,
      content: { contentId: `item-${item}`, totalChunks: totalChunksOf(item), encryptedDescriptor: randomBytes(128), iv: randomBytes(12) },
    }).catch((error: unknown) => void fail(error));
  const iv = randomBytes(12);
  if (sharethings && role === 'sender') await announce(0);

  let rateLimited = 0;
  let fetched = 0;
  return {
    send(index, payload, onAck) {
      const item = itemOf(index);
      const chunkIndex = index - item * MAX_TOTAL_CHUNKS;
      if (sharethings && chunkIndex === 0 && item > 0) void announce(item);
      const chunk = { contentId: `item-${item}`, chunkIndex, totalChunks: totalChunksOf(item), encryptedData: payload, iv };
      // Like a real client: a RATE_LIMITED chunk is sent again after the server's hint.
      const attempt = () =>
        socket.emit('chunk', { sessionId: room, chunk }, (response: AckResponse) => {
          if (response.success) onAck();
          else if (response.code === 'RATE_LIMITED') {
            rateLimited += 1;
            setTimeout(attempt, Math.max(1, response.retryAfterMs ?? 100));
          } else void fail(new Error(`chunk ${index} refused: ${response.code} ${response.error}`));
        });
      attempt();
    },
    rateLimited: () => rateLimited,
    fetched: () => fetched,
    onChunk(onChunk) {
      socket.on('chunk', (payload: { chunk: { encryptedData: Uint8Array } }) => onChunk(payload.chunk.encryptedData.byteLength));
      // PROTOCOL.md §6.6: a receiver too far behind is told instead, and fetches (a window of requests in flight).
      const wanted: Array<{ contentId: string; chunkIndex: number }> = [];
      let inFlight = 0;
      const pump = () => {
        while (inFlight < FETCH_WINDOW && wanted.length > 0) {
          const { contentId, chunkIndex } = wanted.shift()!;
          inFlight += 1;
          socket.emit('fetch-chunk', { sessionId: room, contentId, chunkIndex }, (response: AckResponse<{ chunk: { encryptedData: Uint8Array } }>) => {
            inFlight -= 1;
            if (response.success) {
              fetched += 1;
              onChunk(response.chunk.encryptedData.byteLength);
            } else if (response.code === 'NOT_FOUND' || response.code === 'RATE_LIMITED') {
              setTimeout(() => {
                wanted.push({ contentId, chunkIndex });
                pump();
              }, Math.max(1, response.retryAfterMs ?? 20));
            } else void fail(new Error(`fetch-chunk ${chunkIndex} refused: ${response.code} ${response.error}`));
            pump();
          });
        }
      };
      socket.on('chunk-available', (payload: { contentId: string; chunkIndex: number }) => {
        wanted.push({ contentId: payload.contentId, chunkIndex: payload.chunkIndex });
        pump();
      });
    },
  };
}

/**
 * endToEnd (the transfer baseline): what the SDK bench's peers do besides the
 * SDK, plus AES-256-GCM at both ends with node:crypto: the sender makes
 * pseudo-random plaintext, hashes it and seals it (iv || ciphertext || tag);
 * the receiver opens each chunk and hashes the plaintext.
 */
const GCM_KEY = createHash('sha256').update(room).digest();
const IV_BYTES = 12;
const TAG_BYTES = 16;
const plainHash = createHash('sha256');

function sealNext(random: RandomStream): Buffer {
  const plaintext = random.next(chunkSize);
  plainHash.update(plaintext);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', GCM_KEY, iv);
  const sealed = Buffer.allocUnsafe(IV_BYTES + chunkSize + TAG_BYTES);
  iv.copy(sealed, 0);
  let at = IV_BYTES + cipher.update(plaintext).copy(sealed, IV_BYTES);
  at += cipher.final().copy(sealed, at);
  cipher.getAuthTag().copy(sealed, at);
  return sealed;
}

function open(sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', GCM_KEY, sealed.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plaintext = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
  decipher.final(); // throws if the tag does not match
  plainHash.update(plaintext);
  return plaintext;
}

/** Raw ws: the payload alone; the server answers each message with a 1-byte ack. */
async function wsLink(): Promise<Link> {
  const { WebSocket } = wsCopyOf('engine.io-client');
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('close', () => void fail(new Error('connection closed')));
  const pendingAcks: Array<() => void> = [];
  let onChunk: ((bytes: number) => void) | undefined;
  socket.on('message', (data: Buffer) => {
    if (role === 'sender') pendingAcks.shift()?.();
    else onChunk?.(options.endToEnd ? open(data).byteLength : data.byteLength);
  });
  return {
    send(_index, payload, onAck) {
      pendingAcks.push(onAck);
      socket.send(payload, { binary: true });
    },
    rateLimited: () => 0,
    fetched: () => 0,
    onChunk(callback) {
      onChunk = callback;
    },
  };
}

/** Keeps the CPU busy for `us` µs (a slow peer: reading, encrypting or decrypting). */
function busyFor(us: number): void {
  const until = nowNs() + us * 1000;
  while (nowNs() < until);
}

async function runSender(link: Link): Promise<void> {
  const payload = randomBytes(chunkSize);
  const random = options.endToEnd ? new RandomStream(chunkSize) : undefined;
  await sendReady();
  await waitForGo();
  const cpuStart = cpuNow();
  let sent = 0;
  let acked = 0;
  let firstSendNs = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < messages && sent - acked < window) {
        if (options.senderWorkUs) busyFor(options.senderWorkUs);
        link.send(sent++, random ? sealNext(random) : payload, onAck);
      }
    };
    const onAck = () => {
      acked += 1;
      if (acked === messages) resolve();
      else pump();
    };
    firstSendNs = nowNs();
    pump();
  });
  const result: Omit<SenderResult, 'peakRssBytes'> = {
    firstSendNs,
    lastAckNs: nowNs(),
    messages: acked,
    rateLimited: link.rateLimited(),
    cpuSeconds: cpuNow() - cpuStart,
    ...(random ? { sha256: plainHash.digest('hex') } : {}),
  };
  await finish(result);
}

async function runReceiver(link: Link): Promise<void> {
  const cpuStart = cpuNow();
  let received = 0;
  let bytes = 0;
  let firstReceiveNs = 0;
  const done = new Promise<number>((resolve) => {
    link.onChunk((size) => {
      if (options.receiverWorkUs > 0) busyFor(options.receiverWorkUs); // a slow receiver, like decrypting
      if (received === 0) firstReceiveNs = nowNs();
      if (size !== chunkSize) void fail(new Error(`chunk of ${size} bytes, expected ${chunkSize}`));
      received += 1;
      bytes += size;
      if (received === messages) resolve(nowNs());
    });
  });
  await sendReady();
  const lastReceiveNs = await done;
  const result: Omit<ReceiverResult, 'peakRssBytes'> = {
    firstReceiveNs,
    lastReceiveNs,
    messages: received,
    fetched: link.fetched(),
    bytes,
    cpuSeconds: cpuNow() - cpuStart,
    ...(options.endToEnd ? { sha256: plainHash.digest('hex') } : {}),
  };
  await finish(result);
}

try {
  const link = variant === 'ws-raw' || variant === 'ws-file' ? await wsLink() : await socketIoLink();
  await (role === 'sender' ? runSender(link) : runReceiver(link));
} catch (error) {
  await fail(error);
}
