/**
 * Child process for disk-store.test.ts: stores chunks with a window of 16 and
 * prints each chunk index once its putChunk has resolved (stdout is a pipe,
 * written synchronously), until it is killed with SIGKILL.
 *
 *   node --import tsx kill-writer.ts DATA_DIR ROUND
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../../log.ts';
import { DiskStore } from '../disk-store.ts';
import { KILL_ITEM, KILL_SESSION, KILL_TOTAL, killWriterChunk } from './kill-chunks.ts';

const [dataDir, roundText] = process.argv.slice(2);
const round = Number(roundText);
const store = new DiskStore(dataDir!, { fsync: false, log: createLogger('error') });
await store.open();
await store.createSession(KILL_SESSION, randomBytes(32), 1_000);
await store.addItem(KILL_SESSION, {
  contentId: KILL_ITEM,
  senderId: 'sender',
  senderName: 'Alice',
  timestamp: 1_000,
  totalChunks: KILL_TOTAL,
  encryptedDescriptor: randomBytes(64),
  iv: randomBytes(12),
  pinned: false,
});
let next = 0;
const sendOne = () => {
  if (next >= KILL_TOTAL) return;
  const index = (next++ * 7) % KILL_TOTAL; // out of order
  void store.putChunk(KILL_SESSION, KILL_ITEM, index, killWriterChunk(round, index)).then(() => {
    process.stdout.write(`${index}\n`);
    sendOne();
  });
};
for (let i = 0; i < 16; i++) sendOne();
// Wait to be killed.
setInterval(() => undefined, 60_000);
