/**
 * Session tags in logs: the first 10 hex digits of HMAC-SHA256(secret,
 * session id). Keyed with a per-deployment secret, so someone holding the
 * logs cannot confirm a guessed session id by hashing it; the same on every
 * node and across restarts, so lines about one session can be correlated.
 * The secret is LOG_TAG_SECRET when set; otherwise one node on its own makes
 * one and keeps it in DATA_DIR (mode 0600), and the nodes of a cluster share
 * one through Redis (cluster/log-tag-secret.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './config-values.ts';

export type SessionTagger = (sessionId: string) => string;

/** 32 random bytes, hex-encoded: how a generated secret is stored. */
export const GENERATED_SECRET = /^[0-9a-f]{64}$/;

export function newLogTagSecret(): string {
  return randomBytes(32).toString('hex');
}

export function sessionTagger(secret: string): SessionTagger {
  return (sessionId) => createHmac('sha256', secret).update(sessionId).digest('hex').slice(0, 10);
}

export const LOG_TAG_SECRET_FILE = 'log-tag-secret';

/** This node's secret in `dataDir` (locked by this process), made on first start. */
export async function localLogTagSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, LOG_TAG_SECRET_FILE);
  const stored = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (stored !== undefined) {
    if (!GENERATED_SECRET.test(stored.trim())) {
      throw new ConfigError(`${file} is damaged (not 64 hex digits): delete it (session tags in the logs change) or set LOG_TAG_SECRET`);
    }
    return stored.trim();
  }
  const secret = newLogTagSecret();
  // Whole or not at all: written beside it, then renamed.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${secret}\n`, { mode: 0o600 });
  await rename(partial, file);
  return secret;
}
