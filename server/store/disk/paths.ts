/**
 * Where things live under DATA_DIR. Ids never become path components: every
 * directory is named by a hash of the id, and every file by a fixed name
 * (or, for the legacy chunk files, a validated integer), so no id can reach
 * outside its session's directory.
 *
 *   sessions/<sha256(sessionId)>/session.json
 *   sessions/<sha256(sessionId)>/items/<sha256(contentId)>/item.json
 *   sessions/<sha256(sessionId)>/items/<sha256(contentId)>/chunks.log
 *   trash/   (directories being deleted)
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { LOG_FILE } from './chunk-log.ts';

export function hashName(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export class DiskPaths {
  readonly sessionsDir: string;
  readonly trashDir: string;

  constructor(readonly root: string) {
    this.sessionsDir = path.join(root, 'sessions');
    this.trashDir = path.join(root, 'trash');
  }

  session(sessionId: string): string {
    return path.join(this.sessionsDir, hashName(sessionId));
  }

  sessionRecord(sessionId: string): string {
    return path.join(this.session(sessionId), 'session.json');
  }

  items(sessionId: string): string {
    return path.join(this.session(sessionId), 'items');
  }

  item(sessionId: string, contentId: string): string {
    return path.join(this.items(sessionId), hashName(contentId));
  }

  itemRecord(sessionId: string, contentId: string): string {
    return path.join(this.item(sessionId, contentId), 'item.json');
  }

  /** The item's chunk log (see chunk-log.ts). */
  chunkLog(sessionId: string, contentId: string): string {
    return path.join(this.item(sessionId, contentId), LOG_FILE);
  }
}

/** Before the chunk log, each chunk was a file `chunks/<index>.bin` (iv + data) in the item's directory; read once to migrate. */
export const LEGACY_CHUNKS_DIR = 'chunks';

export function legacyChunkIndex(name: string): number | undefined {
  const match = /^(\d{1,10})\.bin$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
