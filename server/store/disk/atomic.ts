/**
 * Atomic file replacement: write a temporary file beside the target, then
 * rename it over the target. A crash at any moment leaves either the old file
 * or the new one, never half of one. With `fsync`, the data also survives a
 * power loss (at a cost per write: the file, then the directories whose
 * entries changed, are fsynced); without, it survives a killed process.
 *
 * Used for the small records (session.json, item.json): once per session or
 * item and per change, never per chunk (chunks go to the item's chunk log).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from './chunk-log.ts';

export const TEMP_SUFFIX = '.partial';

export async function writeFileAtomic(target: string, parts: Uint8Array[], fsync: boolean, mode?: number): Promise<void> {
  const dir = path.dirname(target);
  const created = await mkdir(dir, { recursive: true });
  const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writev(parts);
    if (fsync) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, target);
  if (fsync) {
    // The renamed entry, and the entries of the directories this call created.
    const dirs = [dir];
    if (created) for (let d = dir; d !== path.dirname(created) && d !== path.dirname(d); ) dirs.push((d = path.dirname(d)));
    for (const d of dirs) await syncDir(d);
  }
}
