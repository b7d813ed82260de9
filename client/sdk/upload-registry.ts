/** This client's uploads in progress: cancelling them, and settling those a lost connection left unfinished. */
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
  /** content id -> resume token of uploads that ended while the server could not be told: cancel them there after re-joining. */
  readonly #abandoned = new Map<string, Uint8Array>();

  add(contentId: string, resumeToken: Uint8Array | undefined): OutgoingUpload {
    const upload: OutgoingUpload = { controller: new AbortController(), cancellable: true, resumeToken };
    this.#uploads.set(contentId, upload);
    return upload;
  }

  get(contentId: string): OutgoingUpload | undefined {
    return this.#uploads.get(contentId);
  }

  has(contentId: string): boolean {
    return this.#uploads.has(contentId);
  }

  delete(contentId: string): void {
    this.#uploads.delete(contentId);
  }

  /** True if cancelled now; false if too late or already stopped; undefined if it is not ours. */
  cancel(contentId: string, reason: ShareError = cancelledError(contentId)): boolean | undefined {
    const upload = this.#uploads.get(contentId);
    if (!upload) return undefined;
    if (!upload.cancellable || upload.controller.signal.aborted) return false;
    upload.controller.abort(reason);
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

  noteAbandoned(contentId: string): void {
    const token = this.#uploads.get(contentId)?.resumeToken;
    if (token) this.#abandoned.set(contentId, token);
  }

  takeAbandoned(): Array<[contentId: string, resumeToken: Uint8Array]> {
    const list = [...this.#abandoned];
    this.#abandoned.clear();
    return list;
  }

  clearAbandoned(): void {
    this.#abandoned.clear();
  }
}
