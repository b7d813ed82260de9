/**
 * Which members a chunk is pushed to: not to one whose connection is backed
 * up, nor to one catching up on the item (fetching chunks it dropped or
 * missed), until it fetches the newest stored chunk, the upload ends, or it
 * leaves. Fetching a chunk that was held back is not catching up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketType, type Packet } from '../../protocol/parser.ts';
import type { IoSocket } from '../io/types.ts';
import { SlowReceivers } from './slow-receivers.ts';

const ITEM = { sessionId: 's', contentId: 'c' };

/** What the adapter hands over for a relayed chunk. */
const chunkPacket = (chunkIndex: number): Packet => ({
  type: PacketType.EVENT,
  nsp: '/',
  data: ['chunk', { sessionId: ITEM.sessionId, chunk: { contentId: ITEM.contentId, chunkIndex } }],
});

/** Socket.IO's connection as queuedBytes() reads it: `waiting` bytes in the WebSocket's buffer. */
const connection = (id: string, waiting = 0) =>
  ({ id, conn: { writeBuffer: [], transport: { socket: { bufferedAmount: waiting } } } }) as unknown as IoSocket;

function setUp(t: { after: (fn: () => void) => void }, sockets: IoSocket[]) {
  let deferred = 0;
  const receivers = new SlowReceivers(8 * 1024 * 1024, (id) => sockets.find((s) => s.id === id), (count) => (deferred += count));
  t.after(() => receivers.close());
  const pushedTo = (chunkIndex: number) => {
    const filter = receivers.recipients(chunkPacket(chunkIndex));
    assert.equal(typeof filter, 'function');
    return sockets.filter((socket) => (filter as (s: { id: string }) => boolean)(socket)).map((s) => s.id);
  };
  return { receivers, pushedTo, deferred: () => deferred };
}

test('a member that fetches an older chunk of an item being uploaded is not pushed its chunks until it fetches the newest', (t) => {
  const { receivers, pushedTo, deferred } = setUp(t, [connection('bob'), connection('carol')]);
  assert.deepEqual(pushedTo(10), ['bob', 'carol']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 3 }, 11); // 11 stored, it fetched the 4th: behind
  assert.deepEqual(pushedTo(11), ['carol']);
  assert.deepEqual(pushedTo(12), ['carol']);
  assert.equal(deferred(), 2);
  assert.equal(receivers.isWaiting({ ...ITEM, chunkIndex: 12 }), true, 'it is told chunk-available once stored');
  receivers.fetched('bob', { ...ITEM, chunkIndex: 12 }, 13); // the newest stored: caught up
  assert.deepEqual(pushedTo(13), ['bob', 'carol']);
});

test('a member that fetches the chunks held back from it while its connection was backed up is pushed again once it drains', (t) => {
  const carol = connection('carol', 9 * 1024 * 1024);
  const { receivers, pushedTo } = setUp(t, [connection('bob'), carol]);
  assert.deepEqual(pushedTo(0), ['bob']);
  assert.deepEqual(pushedTo(1), ['bob']);
  (carol.conn as unknown as { transport: { socket: { bufferedAmount: number } } }).transport.socket.bufferedAmount = 0;
  receivers.fetched('carol', { ...ITEM, chunkIndex: 0 }, 4); // held back from it: not catching up
  assert.deepEqual(pushedTo(4), ['bob', 'carol']);
  receivers.fetched('carol', { ...ITEM, chunkIndex: 2 }, 5); // pushed to it, fetched again: it dropped it
  assert.deepEqual(pushedTo(5), ['bob']);
});

test('catching up ends with the upload or the connection; a backed-up connection is held back as before', (t) => {
  const { receivers, pushedTo } = setUp(t, [connection('bob'), connection('carol', 9 * 1024 * 1024)]);
  assert.deepEqual(pushedTo(0), ['bob'], 'carol has more than 8 MiB waiting');
  receivers.fetched('bob', { ...ITEM, chunkIndex: 0 }, 5);
  assert.deepEqual(pushedTo(5), []);
  receivers.ended(ITEM.sessionId, ITEM.contentId);
  assert.deepEqual(pushedTo(6), ['bob']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 0 }, 7);
  receivers.forget('bob');
  assert.deepEqual(pushedTo(7), ['bob']);
});
