/**
 * What this device shares: each share becomes a timeline entry at once, and
 * is sent when the session is connected. A share made while disconnected
 * waits; one cut short by a lost connection is sent again from the start
 * once the session is rejoined (the SDK settles the broken upload with the
 * server). Cancelling stops it wherever it is.
 */
import type { ShareClient } from '../sdk/index.ts';
import { imageSize, nameOf } from './data-transfer.ts';
import { errorText } from './messages.ts';
import { blobPreviewAllowed } from './preview-check.ts';
import type { Timeline } from './timeline.ts';

type Payload = { kind: 'text'; text: string } | { kind: 'file'; file: File; width?: number; height?: number };

interface Share {
  key: string;
  payload: Payload;
  contentId?: string;
  attempts: number;
}

/** A share that keeps losing its connection is given up after this many tries. */
const MAX_ATTEMPTS = 5;

let counter = 0;

export class Outbox {
  readonly #waiting: Share[] = [];
  readonly #sending = new Map<string, Share>();
  /** Files of this device's shares, for saving, previews and copying. */
  readonly #files = new Map<string, File>();

  constructor(
    private readonly timeline: Timeline,
    private readonly client: () => ShareClient | undefined,
    private readonly ready: () => boolean,
    /** Told the content id of every item this device starts sharing. */
    private readonly shared: (contentId: string) => void = () => {},
  ) {}

  shareText(text: string, senderName: string): void {
    const key = `local-${++counter}`;
    const size = new TextEncoder().encode(text).length;
    this.timeline.add({ ...this.#entry(key, senderName), kind: 'text', name: '', mimeType: 'text/plain', size, text });
    this.#enqueue({ key, payload: { kind: 'text', text }, attempts: 0 });
  }

  async shareFile(original: File, senderName: string): Promise<void> {
    const key = `local-${++counter}`;
    const file = new File([original], nameOf(original), { type: original.type, lastModified: original.lastModified });
    const image = file.type.startsWith('image/');
    this.#files.set(key, file);
    this.timeline.add({
      ...this.#entry(key, senderName),
      kind: image ? 'image' : 'file',
      name: file.name,
      mimeType: file.type,
      size: file.size,
    });
    // The sender's own view follows the same rule as the receivers' (preview-check.ts).
    void blobPreviewAllowed(file.name, file.type, file).then(
      (allowed) => allowed && this.timeline.update(key, { previewUrl: URL.createObjectURL(file) }),
      () => undefined,
    );
    const size = image ? await imageSize(file) : undefined;
    if (size) this.timeline.update(key, size);
    this.#enqueue({ key, payload: { kind: 'file', file, ...size }, attempts: 0 });
  }

  fileOf(key: string): File | undefined {
    return this.#files.get(key);
  }

  /** The session is (again) ready for shares: send what waited. */
  flush(): void {
    while (this.#waiting.length > 0 && this.ready()) this.#send(this.#waiting.shift()!);
  }

  /** True when the key was ours to cancel. */
  cancel(key: string): boolean {
    const index = this.#waiting.findIndex((share) => share.key === key);
    if (index >= 0) {
      this.#waiting.splice(index, 1);
      this.timeline.update(key, { status: 'cancelled', progress: undefined, error: 'You cancelled this share.' });
      return true;
    }
    const share = this.#sending.get(key);
    if (!share?.contentId) return false;
    this.client()?.cancel(share.contentId);
    return true;
  }

  forget(key: string): void {
    this.#files.delete(key);
  }

  clear(): void {
    this.#waiting.length = 0;
    this.#files.clear();
  }

  #entry(key: string, senderName: string) {
    return { key, senderName, mine: true, timestamp: Date.now(), pinned: false, status: 'queued' as const };
  }

  #enqueue(share: Share): void {
    this.#waiting.push(share);
    this.flush();
  }

  #send(share: Share): void {
    const client = this.client();
    if (!client) return;
    const { payload, key } = share;
    const pending =
      payload.kind === 'text'
        ? client.shareText(payload.text)
        : client.shareFile(payload.file, {
            name: payload.file.name,
            type: payload.file.type,
            size: payload.file.size,
            ...(payload.width && payload.height ? { width: payload.width, height: payload.height } : {}),
          });
    share.contentId = pending.contentId;
    share.attempts++;
    this.#sending.set(key, share);
    this.timeline.bind(key, pending.contentId);
    this.shared(pending.contentId);
    const total = payload.kind === 'file' ? payload.file.size : 0;
    this.timeline.update(key, {
      status: 'sending',
      error: undefined,
      progress: total > 0 ? { direction: 'upload', bytes: 0, total } : undefined,
    });
    pending.then(
      () => {
        this.#sending.delete(key);
        this.timeline.update(key, { status: 'ready', progress: undefined });
      },
      (error: unknown) => {
        this.#sending.delete(key);
        const code = (error as { code?: string } | undefined)?.code;
        if ((code === 'UNAVAILABLE' || code === 'NOT_IN_SESSION') && share.attempts < MAX_ATTEMPTS) {
          // The connection went: send it again once the session is back.
          this.timeline.update(key, { status: 'queued', progress: undefined });
          this.#waiting.push(share);
          this.flush();
        } else if (code === 'CANCELLED') {
          this.timeline.update(key, { status: 'cancelled', progress: undefined, error: 'You cancelled this share.' });
        } else {
          this.timeline.update(key, { status: 'failed', progress: undefined, error: errorText(error) });
        }
      },
    );
  }
}
