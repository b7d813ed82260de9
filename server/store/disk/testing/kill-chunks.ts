/** The chunks kill-writer.ts stores: deterministic, so the test that kills it can check what it recovers. */
import type { StoredChunk } from '../../content-store.ts';

export const KILL_SESSION = 'session-1';
export const KILL_ITEM = 'k';
export const KILL_TOTAL = 2000;

export function killWriterChunk(round: number, index: number): StoredChunk {
  const data = Buffer.allocUnsafe(1 + ((index * 7919 + round * 13) % 16_000));
  let x = (round * 1_000_003 + index * 65_537 + 1) >>> 0;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  const iv = Buffer.alloc(12, round);
  iv.writeUInt32LE(index, 0);
  return { iv, encryptedData: data };
}
