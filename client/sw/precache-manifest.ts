/**
 * The service worker's precache list, made by the build from the files it
 * wrote (what workbox-build's getManifest would find by globbing, without its
 * 300 dependencies). Hashed names are their own revision; the others get a
 * hash of their content, so a changed index.html or icon is fetched again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface PrecacheEntry {
  url: string;
  revision: string | null;
}

// esbuild names hashed outputs like `app-3F2A9C1B.js`.
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/** `files` are paths relative to `outDir`, which is also where the service worker is served from. */
export async function precacheManifest(outDir: string, files: readonly string[]): Promise<PrecacheEntry[]> {
  return Promise.all(
    files.map(async (file) => {
      if (HASHED_NAME.test(file)) return { url: file, revision: null };
      const body = await readFile(path.join(outDir, file));
      return { url: file, revision: createHash('sha256').update(body).digest('hex').slice(0, 16) };
    }),
  );
}
