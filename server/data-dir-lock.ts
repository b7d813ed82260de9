/**
 * One data directory, one process: two processes on one DATA_DIR would each
 * serve their own stale index of it (and one could re-create a session the
 * other holds). The lock is a file naming its holder; a holder that is gone
 * (killed, crashed) leaves a lock the next process takes over.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
    let holder: Partial<Holder> | undefined;
    try {
      holder = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    } catch {
      // Unreadable: being written right now, or its writer died while writing it.
      const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
      if (age < 10_000) holder = { pid: -1, host: 'unknown (starting)' };
    }
    // A second process taking over the same stale lock at once: the one that wrote it first keeps it.
    if ((holder && alive(holder)) || attempt > 0) {
      throw new ConfigError(
        `DATA_DIR ${dataDir} is in use by another ShareThings process (pid ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}). ` +
          'Give each process its own DATA_DIR; to run several nodes over the same sessions, use cluster mode ' +
          `(REDIS_URL and S3_BUCKET, see README "Operating several nodes"). If no such process runs, delete ${file}.`,
      );
    }
    await rm(file, { force: true });
  }
}
