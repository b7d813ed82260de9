/**
 * The files to send, checked before anything connects: each a regular file,
 * opened as a lazy Blob (fs.openAsBlob: read a chunk at a time, never whole),
 * `-` for standard input (spooled, see stdin-spool.ts).
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CliError, EXIT } from './exit-codes.ts';
import { spoolStdin } from './stdin-spool.ts';

export interface Input {
  name: string;
  type: string;
  size: number;
  blob: Blob;
}

export interface OpenedInputs {
  inputs: Input[];
  /** Removes temporary copies (stdin); safe to call twice. */
  release(): Promise<void>;
}

/** Enough types for the web app to show previews and pick icons; anything else is sent as unknown. */
const TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.csv': 'text/csv', '.html': 'text/html', '.json': 'application/json',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.tar': 'application/x-tar', '.gz': 'application/gzip',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.svg': 'image/svg+xml', '.mp4': 'video/mp4', '.webm': 'video/webm', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg',
};

export function guessType(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export async function openInputs(paths: string[], stdinName: string, stdin: Readable, signal: AbortSignal): Promise<OpenedInputs> {
  if (paths.filter((p) => p === '-').length > 1) throw new CliError(EXIT.USAGE, 'Standard input (-) can be sent once');
  for (const file of paths) {
    if (file === '-') continue;
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(EXIT.USAGE, `Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    if (info.isDirectory()) throw new CliError(EXIT.USAGE, `${file} is a folder: send an archive of it, e.g. tar c ${file} | sharethings send - --name ${path.basename(file)}.tar`);
    if (!info.isFile()) throw new CliError(EXIT.USAGE, `${file} is not a regular file (for a pipe or device, use - and standard input)`);
  }
  let removeSpool = async () => {};
  const inputs: Input[] = [];
  try {
    for (const file of paths) {
      if (file === '-') {
        const spooled = await spoolStdin(stdin, signal);
        removeSpool = spooled.remove;
        const blob = await openAsBlob(spooled.path);
        inputs.push({ name: stdinName, type: guessType(stdinName), size: blob.size, blob });
      } else {
        const name = path.basename(file);
        const blob = await openAsBlob(file);
        inputs.push({ name, type: guessType(name), size: blob.size, blob });
      }
    }
  } catch (error) {
    await removeSpool();
    throw error;
  }
  return { inputs, release: () => removeSpool() };
}
