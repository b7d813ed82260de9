/** This client's uploads in progress: cancelling them, and settling those a disconnect cut short. */
import { ShareError, cancelledError } from './errors.ts';

export interface OutgoingUpload {
  readonly controller: AbortController;
  /** False once the last chunk is on the wire: a cancel would then come too late to mean anything. */
  cancellable: boolean;
  /** Lets us take the upload back after a reconnection; absent for items without chunks. */
  readonly resumeToken: Uint8Array | undefined;
  /** Settles (never rejects) when the share is over. */
  done?: Promise<unknown>;
}

export class UploadRegistry {
  readonly #uploads = new Map<string, OutgoingUpload>();
  /** content id -> resume token of uploads the server may still be waiting on. */
  readonly #interrupted = new Map<string, Uint8Array>();

  add(contentId: string, resumeToken: Uint8Array | undefined): OutgoingUpload {
    const upload: OutgoingUpload = { controller: new AbortController(), cancellable: true, resumeToken };
    this.#uploads.set(contentId, upload);
    return upload;
  }

  get(contentId: string): OutgoingUpload | undefined {
    return this.#uploads.get(contentId);
  }

  delete(contentId: string): void {
    this.#uploads.delete(contentId);
  }

  /** True if cancelled now; false if too late or already stopped; undefined if it is not ours. */
  cancel(contentId: string): boolean | undefined {
    const upload = this.#uploads.get(contentId);
    if (!upload) return undefined;
    if (!upload.cancellable || upload.controller.signal.aborted) return false;
    upload.controller.abort(cancelledError(contentId));
    return true;
  }

  /** Aborts every upload with `error` (per item); returns their settlements. */
  abortAll(error: ShareError): Promise<unknown>[] {
    const pending: Promise<unknown>[] = [];
    for (const [contentId, upload] of this.#uploads) {
      upload.controller.abort(new ShareError(error.code, error.message, { contentId }));
      if (upload.done) pending.push(upload.done);
    }
    return pending;
  }

  /** The connection dropped: the server keeps unfinished uploads for a resume, so note them first. */
  interruptAll(error: ShareError): void {
    for (const [contentId, upload] of this.#uploads) {
      if (upload.resumeToken && !upload.controller.signal.aborted) this.#interrupted.set(contentId, upload.resumeToken);
    }
    this.abortAll(error);
  }

  takeInterrupted(): Array<[contentId: string, resumeToken: Uint8Array]> {
    const list = [...this.#interrupted];
    this.#interrupted.clear();
    return list;
  }

  clearInterrupted(): void {
    this.#interrupted.clear();
  }
}
