/**
 * Where things live under DATA_DIR. Ids never become path components: every
 * directory is named by a hash of the id, and chunk files by a validated
 * integer, so no id can reach outside its session's directory.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

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

  chunk(sessionId: string, contentId: string, index: number): string {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('chunk index must be a non-negative integer');
    return path.join(this.item(sessionId, contentId), 'chunks', `${index}.bin`);
  }

  chunksDir(sessionId: string, contentId: string): string {
    return path.join(this.item(sessionId, contentId), 'chunks');
  }
}
