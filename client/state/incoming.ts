/**
 * Items other members shared: their timeline entries, and reading their
 * bytes. Texts are read at once; images and media small enough to preview
 * are read into a Blob as they arrive; anything else is read only when the
 * person saves it, streamed to disk where the browser allows (a save dialog,
 * or a download fed through the service worker), else through a Blob
 * (only where no service worker of ours runs). An SDK item
 * can be read once (its chunks are released as they are read), so what was
 * read into a Blob is kept for copying and saving again.
 */
import type { JoinInfo, ReceivedItem } from '../sdk/index.ts';
import { copyImage } from './data-transfer.ts';
import { errorText } from './messages.ts';
import { blobPreviewAllowed } from './preview-check.ts';
import { canStreamToDisk, downloadBlob, streamToDisk } from './save-file.ts';
import { canStreamDownload, streamThroughServiceWorker } from './stream-download.ts';
import type { Timeline } from './timeline.ts';

/** Larger items are not read for a preview: a person may not even want them. */
export const PREVIEW_MAX_BYTES = 64 * 1024 * 1024;
/** Items from history are fetched from the server for a preview only up to this size. */
export const HISTORY_PREVIEW_MAX_BYTES = 8 * 1024 * 1024;

const PREVIEWABLE = /^(image\/(png|jpeg|gif|webp|avif|bmp|svg\+xml)|audio\/|video\/|application\/pdf$)/;

export function canPreview(mimeType: string, size: number, max = PREVIEW_MAX_BYTES): boolean {
  return size <= max && PREVIEWABLE.test(mimeType.toLowerCase());
}

export class Incoming {
  readonly #items = new Map<string, ReceivedItem>();
  readonly #blobs = new Map<string, Promise<Blob>>();
  readonly #discarded = new Set<string>();
  /** Items with a save under way: another click must not start a second download. */
  readonly #saving = new Set<string>();

  constructor(
    private readonly timeline: Timeline,
    /** Whether this device shared the item (known from an earlier page load). */
    private readonly isOwn: (contentId: string) => boolean = () => false,
  ) {}

  has(contentId: string): boolean {
    return this.#items.has(contentId);
  }

  add(item: ReceivedItem, fromHistory = false): void {
    const key = item.contentId;
    if (this.#items.has(key)) return;
    this.#items.set(key, item);
    const complete = item.complete; // stored in full: nothing is arriving
    this.timeline.add(
      {
        key,
        kind: item.kind,
        name: item.name,
        mimeType: item.mimeType,
        size: item.size,
        width: item.width,
        height: item.height,
        senderName: item.senderName,
        mine: this.isOwn(key),
        timestamp: item.timestamp,
        pinned: item.pinned,
        status: complete ? 'ready' : 'receiving',
        progress: complete || item.kind === 'text' ? undefined : { direction: 'download', bytes: 0, total: item.size },
      },
      key,
    );
    item.received.then(
      () => this.timeline.update(key, { status: 'ready', progress: undefined }),
      (error: unknown) => this.#failed(key, error),
    );
    if (item.kind === 'text') {
      item.text().then((text) => this.timeline.update(key, { text }), () => {});
    } else if (canPreview(item.mimeType, item.size, fromHistory ? HISTORY_PREVIEW_MAX_BYTES : PREVIEW_MAX_BYTES)) {
      // Previewed only when the declared type, the extension and the first bytes agree (preview-check.ts).
      this.#blob(key).then(async (blob) => {
        if (await blobPreviewAllowed(item.name, item.mimeType, blob)) this.timeline.update(key, { previewUrl: URL.createObjectURL(blob) });
      }, () => {});
    }
  }

  /**
   * A page of history: the items not known yet (a rejoin returns some we
   * already have). Returns the paging cursor: the page's last content id.
   */
  addPage(page: JoinInfo['history']): string | undefined {
    for (const item of page.items) if (!this.timeline.keyOf(item.contentId)) this.add(item, true);
    return page.items.at(-1)?.contentId;
  }

  /** Saves the item: streamed to a file when possible, else through a Blob. Call from a click. */
  async save(key: string): Promise<void> {
    const item = this.#items.get(key);
    if (!item || this.#saving.has(key)) return;
    this.#saving.add(key);
    this.timeline.update(key, { saving: true });
    try {
      const known = this.#blobs.get(key);
      if (!known && (canStreamToDisk() || canStreamDownload())) {
        if (this.timeline.get(key)?.savedToDisk) throw new Error('This item was already saved to disk.');
        // The save dialog where the browser has one, else a download streamed by the service worker;
        // without either (no worker of ours: self-signed certificate, elements embedded on another origin), a Blob.
        const saved = canStreamToDisk()
          ? await streamToDisk(item.name, () => item.readable())
          : await streamThroughServiceWorker(item.name, item.size, () => item.readable());
        if (saved) {
          this.timeline.update(key, { savedToDisk: true });
          return;
        }
        if (canStreamToDisk()) return; // the person closed the dialog
      }
      downloadBlob(item.name, await this.#blob(key));
    } finally {
      this.#saving.delete(key);
      this.timeline.update(key, { saving: false });
    }
  }

  async copyImage(key: string): Promise<void> {
    await copyImage(await this.#blob(key));
  }

  /** Stops receiving the item (locally: the others keep theirs). */
  discard(key: string): void {
    this.#discarded.add(key);
    this.#items.get(key)?.discard();
  }

  forget(key: string): void {
    this.#items.delete(key);
    this.#blobs.delete(key);
  }

  clear(): void {
    this.#items.clear();
    this.#blobs.clear();
  }

  #blob(key: string): Promise<Blob> {
    let blob = this.#blobs.get(key);
    if (!blob) {
      const item = this.#items.get(key)!;
      blob = new Response(item.readable()).blob().then((raw) => new Blob([raw], { type: item.mimeType }));
      this.#blobs.set(key, blob);
      blob.catch(() => this.#blobs.delete(key));
    }
    return blob;
  }

  #failed(key: string, error: unknown): void {
    const code = (error as { code?: string } | undefined)?.code;
    const cancelled = code === 'CANCELLED';
    const mine = this.#discarded.has(key);
    this.timeline.update(key, {
      status: cancelled ? 'cancelled' : 'failed',
      progress: undefined,
      error: mine ? 'You stopped receiving this item.' : cancelled ? (error as Error).message + '.' : errorText(error),
    });
  }
}
