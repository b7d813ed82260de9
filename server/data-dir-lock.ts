/**
 * One data directory, one process: two processes on one DATA_DIR would each
 * serve their own stale index of it (and one could re-create a session the
 * other holds). The lock is a file naming its holder; a holder that is gone
 * (killed, crashed) leaves a lock the next process takes over.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError } from './config-values.ts';

export const LOCK_FILE = 'sharethings.lock';

interface Holder {
  pid: number;
  host: string;
  /** Tells this process from an earlier one that had the same pid (a restarted container's pid 1). */
  token: string;
}

const thisProcess: Holder = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock's holder may still be using the directory. */
function alive(holder: Partial<Holder>): boolean {
  if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') return false;
  if (holder.pid < 0 || holder.host !== thisProcess.host) return true; // another machine: cannot tell, so assume it is
  if (holder.pid === thisProcess.pid) return holder.token === thisProcess.token;
  return running(holder.pid);
}

export interface DataDirLock {
  release(): Promise<void>;
}

async function readHolder(file: string): Promise<Partial<Holder> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
  } catch {
    // Unreadable: being written right now (then it counts as held), or its writer died while writing it.
    const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
    return age < 10_000 ? { pid: -1, host: 'unknown (starting)' } : undefined;
  }
}

/**
 * Moves a stale lock out of the way, unless it is no longer the one found
 * stale (another process took it over meanwhile): then it is put back.
 */
async function setAside(file: string, stale: Partial<Holder> | undefined): Promise<void> {
  const aside = `${file}.${thisProcess.token}`;
  try {
    await rename(file, aside);
  } catch {
    return; // moved by another process already
  }
  const moved = await readHolder(aside);
  if (moved?.token !== stale?.token || moved?.pid !== stale?.pid) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, JSON.stringify(thisProcess), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if ((holder && alive(holder)) || attempt >= 3) {
      throw new ConfigError(
        `DATA_DIR ${dataDir} is in use by another ShareThings process (pid ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}). ` +
          'Give each process its own DATA_DIR; to run several nodes over the same sessions, use cluster mode ' +
          `(REDIS_URL and S3_BUCKET, see README "Operating several nodes"). If no such process runs, delete ${file}.`,
      );
    }
    // Its holder is gone: take it over (exclusively, by creating it anew above).
    await setAside(file, holder);
  }
}
