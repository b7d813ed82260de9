/**
 * What a person can do to a timeline entry: save, copy, cancel, remove, pin,
 * rename, clear all; and the same changes made by other members.
 */
import { copyImage, copyText } from './data-transfer.ts';
import type { Incoming } from './incoming.ts';
import { errorText } from './messages.ts';
import type { Outbox } from './outbox.ts';
import { downloadBlob } from './save-file.ts';
import type { ShareClient } from '../sdk/index.ts';
import type { Timeline } from './timeline.ts';

export interface ItemActionDeps {
  timeline: Timeline;
  incoming: Incoming;
  outbox: Outbox;
  client(): ShareClient | undefined;
  notify(text: string, tone?: 'info' | 'error'): void;
}

export class ItemActions {
  constructor(private readonly deps: ItemActionDeps) {}

  /** Call straight from the click: saving may open a file dialog, which needs the gesture. */
  async save(key: string): Promise<void> {
    const { timeline, outbox, incoming } = this.deps;
    const item = timeline.get(key);
    if (!item) return;
    try {
      const file = outbox.fileOf(key);
      if (file) downloadBlob(file.name, file);
      else if (item.kind === 'text' && item.text !== undefined) {
        downloadBlob(item.name || 'text.txt', new Blob([item.text], { type: 'text/plain;charset=utf-8' }));
      } else await incoming.save(key);
    } catch (error) {
      this.#failed(error);
    }
  }

  async copy(key: string): Promise<void> {
    const { timeline, outbox, incoming, notify } = this.deps;
    const item = timeline.get(key);
    if (!item) return;
    try {
      if (item.kind === 'text') await copyText(item.text ?? '');
      else if (item.kind === 'image') await (outbox.fileOf(key) ? copyImage(outbox.fileOf(key)!) : incoming.copyImage(key));
      else return;
      notify(item.kind === 'image' ? 'Image copied.' : 'Text copied.');
    } catch (error) {
      this.#failed(error, 'Could not copy: the browser refused access to the clipboard.');
    }
  }

  /** Stops a share of ours or an item we receive; a finished or failed entry is just dismissed. */
  cancel(key: string): void {
    const { timeline, outbox, incoming } = this.deps;
    const item = timeline.get(key);
    if (!item) return;
    if (item.status === 'failed' || item.status === 'cancelled') this.#drop(key);
    else if (!outbox.cancel(key)) incoming.discard(key);
  }

  async remove(key: string): Promise<void> {
    const { timeline, client } = this.deps;
    const contentId = timeline.contentIdOf(key);
    const item = timeline.get(key);
    const sdk = client();
    if (!item) return;
    if (!sdk || !contentId || item.status === 'queued' || item.status === 'failed' || item.status === 'cancelled') {
      this.cancel(key);
      this.#drop(key);
      return;
    }
    await this.#run(() => sdk.remove(contentId), () => this.#drop(key));
  }

  async setPinned(key: string, pinned: boolean): Promise<void> {
    const contentId = this.deps.timeline.contentIdOf(key);
    const sdk = this.deps.client();
    if (sdk && contentId) await this.#run(() => sdk.pin(contentId, pinned), () => this.deps.timeline.update(key, { pinned }));
  }

  async rename(key: string, name: string): Promise<void> {
    const contentId = this.deps.timeline.contentIdOf(key);
    const sdk = this.deps.client();
    if (sdk && contentId) await this.#run(() => sdk.rename(contentId, name), () => this.deps.timeline.update(key, { name }));
  }

  async clearAll(): Promise<void> {
    const sdk = this.deps.client();
    if (sdk) await this.#run(() => sdk.clear(), () => this.clearedElsewhere());
  }

  removedElsewhere(contentId: string): void {
    const key = this.deps.timeline.keyOf(contentId);
    if (key) this.#drop(key);
  }

  clearedElsewhere(): void {
    const { timeline, incoming, outbox } = this.deps;
    for (const item of [...timeline.items]) {
      if (item.status !== 'queued') {
        if (item.mine) outbox.forget(item.key);
        else incoming.forget(item.key);
        timeline.remove(item.key);
      }
    }
  }

  updatedElsewhere(update: { contentId: string; pinned?: boolean; name?: string }): void {
    const key = this.deps.timeline.keyOf(update.contentId);
    if (!key) return;
    this.deps.timeline.update(key, {
      ...(update.pinned !== undefined ? { pinned: update.pinned } : {}),
      ...(update.name !== undefined ? { name: update.name } : {}),
    });
  }

  #drop(key: string): void {
    this.deps.outbox.forget(key);
    this.deps.incoming.forget(key);
    this.deps.timeline.remove(key);
  }

  async #run(operation: () => Promise<unknown>, then: () => void): Promise<void> {
    try {
      await operation();
      then();
    } catch (error) {
      this.#failed(error);
    }
  }

  #failed(error: unknown, fallback?: string): void {
    const known = typeof (error as { code?: unknown })?.code === 'string';
    const text = known ? errorText(error) : error instanceof Error && !fallback ? error.message : fallback;
    this.deps.notify(text ?? 'Something went wrong. Try again.', 'error');
  }
}
