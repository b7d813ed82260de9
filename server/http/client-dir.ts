/**
 * The start-up check of CLIENT_DIR: the directory must hold a built web
 * client (its index.html), else the server would start and answer 404 to
 * everyone. Run by main.ts; tests that build their app with createApp and
 * never load a page do not need a build.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config-values.ts';

/** `make build` swaps a new build in with two renames: a start at that instant looks again once. */
const SWAP_GRACE_MS = 250;

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

export async function checkClientDir(dir: string): Promise<void> {
  const index = path.join(dir, 'index.html');
  if (await isFile(index)) return;
  await new Promise((resolve) => setTimeout(resolve, SWAP_GRACE_MS));
  if (await isFile(index)) return;
  const info = await stat(dir).catch(() => undefined);
  const problem = !info ? 'does not exist' : !info.isDirectory() ? 'is not a directory' : 'has no index.html';
  throw new ConfigError(
    `CLIENT_DIR ${path.resolve(dir)} ${problem}: build the web client with \`make build\` (into dist/client, the default), or point CLIENT_DIR at a built one`,
  );
}
