/**
 * One item saved into the output folder: written to a hidden partial file
 * (`.<name>.<contentId>.part`) as its chunks arrive, each chunk already
 * decrypted and authenticated by the SDK, then moved to a free, sanitised
 * name without ever replacing a file. A partial file left by an interrupted
 * run is continued: the SDK is asked for the item from that byte on, so
 * only the missing chunks are fetched.
 */
import { link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ReceivedItem } from '../sdk/index.ts';
import { interrupted } from './context.ts';
import { freeName, safeFileName } from './safe-name.ts';
import type { Progress } from './progress.ts';

export interface Saved {
  path: string;
  size: number;
  /** Bytes already there from an interrupted run (0 for a fresh download). */
  resumedFrom: number;
}

/** Room in a partial file's name for the item's name; the rest is the dot, the id and ".part". */
const PART_NAME_CHARS = 150;
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/u;

/** Saves `item` as `name` (sanitised here) in `dir`. */
export async function saveItem(item: ReceivedItem, name: string, dir: string, progress: Progress, signal: AbortSignal): Promise<Saved> {
  if (!SAFE_ID.test(item.contentId)) throw new Error('The server sent an item id that cannot be part of a file name');
  const safeName = safeFileName(name);
  const partPath = path.join(dir, (await findPart(dir, item.contentId)) ?? partName(safeName, item.contentId));
  const handle = await open(partPath, 'a', 0o600);
  let written: number;
  try {
    written = (await handle.stat()).size;
    if (written > item.size) {
      // Not a prefix of this item after all: start again.
      await handle.truncate(0);
      written = 0;
    }
    const resumedFrom = written;
    progress.start(item.contentId, safeName, item.size, written);
    const chunks = item.stream({ offset: written });
    // Ctrl-C while waiting for a chunk: stop waiting (the write in progress, if any, completes first).
    const stop = () => item.discard();
    signal.addEventListener('abort', stop, { once: true });
    let finished = false;
    try {
      for (;;) {
        if (signal.aborted) throw interrupted();
        const next = await chunks.next().catch((error: unknown) => {
          throw signal.aborted ? interrupted() : error;
        });
        if (next.done) break;
        await handle.write(next.value);
        written += next.value.length;
        progress.update(item.contentId, written);
      }
      finished = true;
    } finally {
      signal.removeEventListener('abort', stop);
      if (!finished) item.discard(); // releases what the SDK buffered for this reader
      progress.finish(item.contentId);
    }
    await handle.close();
    const saved = await moveToFreeName(partPath, dir, safeName);
    return { path: saved, size: written, resumedFrom };
  } finally {
    await handle.close().catch(() => {});
  }
}

function partName(safeName: string, contentId: string): string {
  return `.${[...safeName].slice(0, PART_NAME_CHARS).join('')}.${contentId}.part`;
}

/** The partial file an earlier run left for this item, whatever the item was called then. */
async function findPart(dir: string, contentId: string): Promise<string | undefined> {
  const suffix = `.${contentId}.part`;
  return (await readdir(dir)).find((name) => name.startsWith('.') && name.endsWith(suffix));
}

/**
 * Moves `from` to `dir/name`, or "name (1)", ... if taken. A hard link
 * fails if the target exists (no check-then-rename race); where links are
 * not possible (some file systems), a checked rename.
 */
async function moveToFreeName(from: string, dir: string, name: string): Promise<string> {
  const exists = (candidate: string) => stat(path.join(dir, candidate)).then(() => true, () => false);
  for (;;) {
    const target = path.join(dir, await freeName(name, exists));
    try {
      await link(from, target);
      await unlink(from);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
      if (await exists(path.basename(target))) continue;
      await rename(from, target);
      return target;
    }
  }
}
