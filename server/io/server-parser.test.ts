import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder as ClientDecoder, Encoder, PacketType, type Packet } from '../../protocol/parser.ts';
import {
  DECODE_VALUES_PER_WINDOW,
  DECODE_WINDOW_MS,
  ID_MAX_LENGTH,
  MAX_BATCH_MESSAGES,
  MAX_HISTORY_PAGE,
  MAX_INBOUND_STRING_BYTES,
  MAX_INBOUND_VALUES,
} from '../../protocol/limits.ts';
import { arrayBomb, deepArray, packetWith, PACKET_VALUES, wideMap } from '../testing/fuzz-payloads.ts';
import { decodeCounted } from '../../protocol/msgpack/decode.ts';
import { Decoder } from './server-parser.ts';

const id = 'x'.repeat(ID_MAX_LENGTH);
const name = '\u{1F600}'.repeat(32);
const bytes = (n: number) => new Uint8Array(n);

function decodes(decoder: { add(chunk: unknown): void; on(event: 'decoded', listener: (packet: Packet) => void): unknown }, chunk: Uint8Array): Packet {
  let decoded: Packet | undefined;
  decoder.on('decoded', (packet: Packet) => (decoded = packet));
  decoder.add(chunk);
  assert.ok(decoded, 'a packet was decoded');
  return decoded;
}

test('the largest legitimate request (a batch of 50 full content announcements) decodes within the inbound caps', () => {
  const content = { sessionId: id, content: { contentId: id, totalChunks: 65_536, encryptedDescriptor: bytes(64), iv: bytes(12), resumeToken: bytes(32) }, data: bytes(64) };
  const entries = Array.from({ length: MAX_BATCH_MESSAGES }, () => ({ event: 'content', payload: content }));
  const [wire] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', id: 1, data: ['batch', entries] });
  const packet = decodes(new Decoder(), wire!);
  assert.equal((packet.data as [string, unknown[]])[1].length, MAX_BATCH_MESSAGES);
});

test('a request of exactly the value cap decodes; one value more closes the connection', () => {
  const under = packetWith('list-content', wideMap((MAX_INBOUND_VALUES - PACKET_VALUES - 1) / 2 | 0));
  decodes(new Decoder(), under);
  const over = packetWith('list-content', arrayBomb(1, MAX_INBOUND_VALUES - PACKET_VALUES - 1));
  assert.throws(() => new Decoder().add(over), /more than 10000 values/);
  const exact = packetWith('list-content', arrayBomb(1, MAX_INBOUND_VALUES - PACKET_VALUES - 2));
  decodes(new Decoder(), exact);
});

test('a 4 MB message of 4M empty arrays is refused after the first 10,000 values, in well under a millisecond per thousand', () => {
  const bomb = packetWith('list-content', arrayBomb(1000, 4000));
  const started = performance.now();
  assert.throws(() => new Decoder().add(bomb), /more than 10000 values/);
  assert.ok(performance.now() - started < 20, `took ${performance.now() - started} ms`);
});

test('deep arrays stay refused past 64 levels, under the value cap', () => {
  decodes(new Decoder(), packetWith('list-content', deepArray(60)));
  assert.throws(() => new Decoder().add(packetWith('list-content', deepArray(64))), /nested too deeply/);
});

test('strings are capped by their total bytes in one message, map keys included', () => {
  const [fits] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['list-content', { sessionId: 'a'.repeat(MAX_INBOUND_STRING_BYTES - 100) }] });
  decodes(new Decoder(), fits!);
  const [tooMuch] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['list-content', { sessionId: 'a'.repeat(MAX_INBOUND_STRING_BYTES) }] });
  assert.throws(() => new Decoder().add(tooMuch), /bytes of strings/);
});

test('decoding work per connection is budgeted per window: past it the decoder throws, and the next window starts afresh', () => {
  let now = 0;
  const decoder = new (class extends ClientDecoder {})({ maxValues: MAX_INBOUND_VALUES }, { values: 50_000, windowMs: DECODE_WINDOW_MS }, () => now);
  decoder.on('decoded', () => undefined);
  const message = packetWith('list-content', arrayBomb(1, 9_000));
  for (let i = 0; i < 5; i++) decoder.add(message);
  assert.throws(() => decoder.add(message), /values decoded in/);
  now += DECODE_WINDOW_MS;
  decoder.add(message);
});

test('the shipped budget leaves room for chunks at the whole byte budget plus every request the event budget allows', () => {
  const chunk = { sessionId: id, chunk: { contentId: id, chunkIndex: 1, totalChunks: 2, encryptedData: bytes(256 * 1024), iv: bytes(12) } };
  const [wire] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', id: 1, data: ['chunk', chunk] });
  const { values } = decodeCounted(wire!);
  const chunksPerSecond = (10 * 1024 ** 3) / 10 / (256 * 1024); // BYTES_PER_SOCKET per EVENT_WINDOW (10 s), in one second
  const legitimate = chunksPerSecond * values + 2000 * 21; // + every EVENTS_PER_SOCKET request of a window, about 21 values each
  assert.equal(DECODE_WINDOW_MS, 1_000);
  assert.ok(legitimate < DECODE_VALUES_PER_WINDOW, `${legitimate} values`);
});

test('a client accepts the largest answer a server sends: a batch of 50 full history pages', () => {
  const header = { contentId: id, totalChunks: 65_536, encryptedDescriptor: bytes(1), iv: bytes(12), data: bytes(1), senderId: id, senderName: name, timestamp: Date.now(), pinned: true, name: { encryptedName: bytes(1), iv: bytes(12) }, receivedChunks: 65_536, complete: false };
  const page = { success: true, items: Array.from({ length: MAX_HISTORY_PAGE }, () => header), hasMore: true };
  const [wire] = new Encoder().encode({ type: PacketType.ACK, nsp: '/', id: 1, data: [{ success: true, results: Array.from({ length: MAX_BATCH_MESSAGES }, () => page) }] });
  decodes(new ClientDecoder(), wire!);
  assert.throws(() => new Decoder().add(wire), /more than/, 'the server would not take such a message from a client');
});
