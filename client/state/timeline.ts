/**
 * The session's items in display order (pinned first, then newest first),
 * with their object URLs, which are revoked when an item goes.
 */
import type { TimelineItem } from './timeline-item.ts';

export class Timeline {
  readonly #items = new Map<string, TimelineItem>();
  readonly #keyOfContent = new Map<string, string>();
  #sorted: TimelineItem[] | undefined;

  constructor(private readonly changed: () => void) {}

  /** Pinned first, then newest first. */
  get items(): readonly TimelineItem[] {
    this.#sorted ??= [...this.#items.values()].sort(
      (a, b) => Number(b.pinned) - Number(a.pinned) || b.timestamp - a.timestamp,
    );
    return this.#sorted;
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): TimelineItem | undefined {
    return this.#items.get(key);
  }

  keyOf(contentId: string): string | undefined {
    return this.#keyOfContent.get(contentId);
  }

  contentIdOf(key: string): string | undefined {
    for (const [contentId, k] of this.#keyOfContent) if (k === key) return contentId;
    return undefined;
  }

  add(item: TimelineItem, contentId?: string): void {
    this.#items.set(item.key, item);
    if (contentId) this.#keyOfContent.set(contentId, item.key);
    this.#touch();
  }

  /** A (re-)sent share got a content id. */
  bind(key: string, contentId: string): void {
    for (const [id, k] of this.#keyOfContent) if (k === key) this.#keyOfContent.delete(id);
    this.#keyOfContent.set(contentId, key);
  }

  update(key: string, patch: Partial<Omit<TimelineItem, 'key'>>): void {
    const item = this.#items.get(key);
    if (!item) return;
    if (patch.previewUrl !== undefined && item.previewUrl && item.previewUrl !== patch.previewUrl) {
      URL.revokeObjectURL(item.previewUrl);
    }
    this.#items.set(key, { ...item, ...patch });
    this.#touch();
  }

  remove(key: string): void {
    const item = this.#items.get(key);
    if (!item) return;
    if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    this.#items.delete(key);
    for (const [id, k] of this.#keyOfContent) if (k === key) this.#keyOfContent.delete(id);
    this.#touch();
  }

  clear(): void {
    for (const item of this.#items.values()) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    this.#items.clear();
    this.#keyOfContent.clear();
    this.#touch();
  }

  #touch(): void {
    this.#sorted = undefined;
    this.changed();
  }
}
