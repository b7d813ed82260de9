/**
 * Which members a chunk is pushed to: not to one whose connection is backed
 * up, nor to one catching up on the item (fetching chunks pushed to it that
 * it dropped), until it fetches the newest stored chunk, the upload ends, or
 * it leaves. Fetching a chunk held back from it, or one from before it was
 * first pushed, is not catching up.
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
  /** Who chunk `chunkIndex` is pushed to, among `present` (the session's members on this node). */
  const pushedTo = (chunkIndex: number, present = sockets) => {
    const filter = receivers.recipients(chunkPacket(chunkIndex));
    assert.equal(typeof filter, 'function');
    return present.filter((socket) => (filter as (s: { id: string }) => boolean)(socket)).map((s) => s.id);
  };
  return { receivers, pushedTo, deferred: () => deferred };
}

const drain = (socket: IoSocket) => {
  (socket.conn as unknown as { transport: { socket: { bufferedAmount: number } } }).transport.socket.bufferedAmount = 0;
};

test('a member that fetches a chunk pushed to it (it dropped it) is not pushed the item until it fetches the newest stored chunk', (t) => {
  const { receivers, pushedTo, deferred } = setUp(t, [connection('bob'), connection('carol')]);
  assert.deepEqual(pushedTo(10), ['bob', 'carol']);
  assert.deepEqual(pushedTo(11), ['bob', 'carol']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 10 }, 12); // 12 stored: it is behind
  assert.deepEqual(pushedTo(12), ['carol']);
  assert.deepEqual(pushedTo(13), ['carol']);
  assert.equal(deferred(), 2);
  assert.equal(receivers.isWaiting({ ...ITEM, chunkIndex: 13 }), true, 'it is told chunk-available once stored');
  receivers.fetched('bob', { ...ITEM, chunkIndex: 12 }, 14); // a held-back one, not the newest: still catching up
  assert.deepEqual(pushedTo(14), ['carol']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 14 }, 15); // the newest stored: caught up
  assert.deepEqual(pushedTo(15), ['bob', 'carol']);
});

test('fetching the chunks held back while its connection was backed up is not catching up: pushes resume once it drains', (t) => {
  const carol = connection('carol', 9 * 1024 * 1024);
  const { receivers, pushedTo } = setUp(t, [connection('bob'), carol]);
  assert.deepEqual(pushedTo(0), ['bob']);
  assert.deepEqual(pushedTo(1), ['bob']);
  drain(carol);
  receivers.fetched('carol', { ...ITEM, chunkIndex: 0 }, 4);
  assert.deepEqual(pushedTo(4), ['bob', 'carol']);
  receivers.fetched('carol', { ...ITEM, chunkIndex: 4 }, 6); // pushed to it, and fetched: it dropped it
  assert.deepEqual(pushedTo(6), ['bob']);
});

test('a member that joined during the upload fetches what came before without being held back', (t) => {
  const bob = connection('bob');
  const dave = connection('dave');
  const { receivers, pushedTo } = setUp(t, [bob, dave]);
  assert.deepEqual(pushedTo(7, [bob]), ['bob']);
  assert.deepEqual(pushedTo(8), ['bob', 'dave']); // dave's first
  receivers.fetched('dave', { ...ITEM, chunkIndex: 2 }, 9);
  assert.deepEqual(pushedTo(9), ['bob', 'dave']);
});

test('catching up ends with the upload, the session or the connection; a backed-up connection is held back as before', (t) => {
  const { receivers, pushedTo } = setUp(t, [connection('bob'), connection('carol', 9 * 1024 * 1024)]);
  assert.deepEqual(pushedTo(0), ['bob'], 'carol has more than 8 MiB waiting');
  receivers.fetched('bob', { ...ITEM, chunkIndex: 0 }, 5);
  assert.deepEqual(pushedTo(5), []);
  receivers.ended(ITEM.sessionId, ITEM.contentId);
  assert.deepEqual(pushedTo(6), ['bob']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 6 }, 8);
  assert.deepEqual(pushedTo(8), []);
  receivers.endedSession(ITEM.sessionId);
  assert.deepEqual(pushedTo(9), ['bob']);
  receivers.fetched('bob', { ...ITEM, chunkIndex: 9 }, 11);
  receivers.forget('bob');
  assert.deepEqual(pushedTo(11), ['bob']);
});
