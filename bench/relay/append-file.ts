/**
 * The essential work of a relay that stores everything, for the baselines
 * (relay/server.ts, variant ws-file): each message appended to one file per
 * connection, written like server/store/disk/chunk-log.ts does (no fsync,
 * appends queued while a write is under way go together in one positioned
 * `writev`, at most 4 MiB or 64 messages per batch). `append` resolves once
 * its bytes are written, so the relay can acknowledge after the write as
 * ShareThings does. No record header, no index: the bytes once, nothing more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_BATCH_RECORDS = 64;

interface Pending {
  data: Uint8Array;
  done: (error?: unknown) => void;
}

/** A temporary directory for the files, removed when the process exits. */
export function appendDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sharethings-bench-append-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export class AppendFile {
  #handle: Promise<FileHandle>;
  #end = 0;
  #queue: Pending[] = [];
  #writing = false;

  constructor(readonly file: string) {
    this.#handle = open(file, 'w', 0o600);
  }

  append(data: Uint8Array, done: (error?: unknown) => void): void {
    this.#queue.push({ data, done });
    if (!this.#writing) void this.#pump();
  }

  async close(): Promise<void> {
    while (this.#writing) await new Promise((resolve) => setImmediate(resolve));
    await (await this.#handle).close();
    rmSync(this.file, { force: true });
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    const handle = await this.#handle;
    while (this.#queue.length > 0) {
      let count = 0;
      let bytes = 0;
      while (count < this.#queue.length && count < MAX_BATCH_RECORDS) {
        const size = this.#queue[count]!.data.byteLength;
        if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
        bytes += size;
        count += 1;
      }
      const batch = this.#queue.splice(0, count);
      try {
        let written = 0;
        let buffers = batch.map((p) => p.data);
        while (written < bytes) {
          const { bytesWritten } = await handle.writev(buffers, this.#end + written);
          if (bytesWritten <= 0) throw new Error('short write');
          written += bytesWritten;
          if (written < bytes) buffers = [Buffer.concat(batch.map((p) => p.data)).subarray(written)];
        }
        this.#end += bytes;
        for (const pending of batch) pending.done();
      } catch (error) {
        for (const pending of batch) pending.done(error);
      }
    }
    this.#writing = false;
  }
}
