/**
 * Atomic file replacement: write a temporary file beside the target, then
 * rename it over the target. A crash at any moment leaves either the old file
 * or the new one, never half of one. With `fsync`, the data also survives a
 * power loss (at a cost per write); without, it survives a killed process.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const TEMP_SUFFIX = '.partial';

export async function writeFileAtomic(target: string, parts: Uint8Array[], fsync: boolean): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w');
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
}
