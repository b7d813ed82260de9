/**
 * One entry of the session's timeline as the elements see it: plain data,
 * replaced (never mutated) when it changes, so a view re-renders exactly the
 * entries that changed.
 */
import type { TransferProgress } from './transfer-rate.ts';

export type { TransferProgress };

export type ItemKind = 'text' | 'image' | 'file';

/**
 * queued: waiting for the connection; sending / receiving: bytes moving;
 * ready: complete; failed / cancelled: stopped (see `error`).
 */
export type ItemStatus = 'queued' | 'sending' | 'receiving' | 'ready' | 'failed' | 'cancelled';

export interface TimelineItem {
  /** Stable for the life of the entry (a share that is re-sent gets a new content id, not a new key). */
  readonly key: string;
  readonly kind: ItemKind;
  readonly name: string;
  readonly mimeType: string;
  /** Exact size in bytes. */
  readonly size: number;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly senderName: string;
  /** Shared from this device. */
  readonly mine: boolean;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly pinned: boolean;
  readonly status: ItemStatus;
  /** The text, once known (text items). */
  readonly text?: string | undefined;
  /** An object URL of the content, for images and media the browser can preview. */
  readonly previewUrl?: string | undefined;
  readonly progress?: TransferProgress | undefined;
  /** Why it failed, in words. */
  readonly error?: string | undefined;
  /** Streamed to a file on disk: the bytes are no longer held here. */
  readonly savedToDisk?: boolean | undefined;
  /** A save was asked for and is under way (or waits for the item to arrive). */
  readonly saving?: boolean | undefined;
}

/** What a member may do to items, as far as this client and browser support it. */
export interface ItemCapabilities {
  remove: boolean;
  pin: boolean;
  rename: boolean;
  clear: boolean;
  /** Items can be saved to a file while they are still arriving (File System Access). */
  streamToDisk: boolean;
}

export const NO_CAPABILITIES: ItemCapabilities = { remove: false, pin: false, rename: false, clear: false, streamToDisk: false };
