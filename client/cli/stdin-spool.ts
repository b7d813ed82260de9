/**
 * Standard input as a file. The SDK binds an item's size into every chunk,
 * so it must know it before the first byte goes out, and a pipe does not
 * say. Stdin is therefore copied to a private file in the OS temp folder
 * first (disk, not memory), sent from there, and the file removed after,
 * whatever happens.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Spooled {
  path: string;
  size: number;
  /** Deletes the copy (and its folder); safe to call twice. */
  remove(): Promise<void>;
}

export async function spoolStdin(stdin: Readable, signal: AbortSignal): Promise<Spooled> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-stdin-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'stdin');
  try {
    // mode 0600 (and the folder is 0700): what is being sent stays private to this user.
    await pipeline(stdin, createWriteStream(file, { mode: 0o600 }), { signal });
    return { path: file, size: (await stat(file)).size, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
