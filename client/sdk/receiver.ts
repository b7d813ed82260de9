/**
 * Routes what the server relays (items, chunks, cancellations, removals) to
 * the transfers in progress. Payloads from the server are validated like any
 * other input: the server is trusted to relay, not to be well-formed.
 */
import * as v from 'valibot';
import { isErrorCode } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { ChunkSchema, ContentHeaderSchema, IdSchema, parsePayload } from '../../protocol/schemas.ts';
import type { SessionKeys } from '../../protocol/crypto/index.ts';
import { ShareError, cancelledError } from './errors.ts';
import { IncomingTransfer } from './incoming-transfer.ts';
import { Item } from './received-item.ts';
import type { Progress, ReceivedItem } from './types.ts';

const RelayedHeaderSchema = v.object({
  ...ContentHeaderSchema.entries,
  senderId: v.string(),
  senderName: v.string(),
  timestamp: v.number(),
});
const RelayedChunkSchema = v.object({ sessionId: IdSchema, chunk: ChunkSchema, senderId: v.string() });
const ContentRefSchema = v.object({ sessionId: IdSchema, contentId: IdSchema, code: v.optional(v.string()) });

export interface ReceiverHooks {
  /** The session being received, if any; items of any other session are ignored. */
  session(): { sessionId: string; keys: SessionKeys } | undefined;
  item(item: ReceivedItem): void;
  progress(progress: Progress): void;
  error(error: ShareError): void;
  cancelled(contentId: string, code: ErrorCode): void;
  removed(contentId: string): void;
  cleared(): void;
  stallTimeoutMs: number;
}

export class Receiver {
  /** Items still arriving; complete and failed ones are dropped (late chunks are then ignored). */
  readonly #transfers = new Map<string, IncomingTransfer>();
  /** Every item id seen in the current session: a replayed header must not show an item twice. */
  #seen = { sessionId: '', ids: new Set<string>() };

  constructor(private readonly hooks: ReceiverHooks) {}

  onContent(payload: unknown): void {
    const session = this.#sessionOf(payload);
    if (!session) return;
    const parsed = parsePayload(RelayedHeaderSchema, (payload as { content?: unknown }).content);
    if (!parsed.ok) {
      this.hooks.error(new ShareError('INVALID_PAYLOAD', `The server relayed a malformed item: ${parsed.reason}`));
      return;
    }
    const header = parsed.value;
    if (this.#seen.sessionId !== session.sessionId) this.#seen = { sessionId: session.sessionId, ids: new Set() };
    if (this.#seen.ids.has(header.contentId)) return; // a replay (SPEC §5) cannot restart or duplicate an item
    this.#seen.ids.add(header.contentId);
    const transfer = new IncomingTransfer(
      session.sessionId,
      header,
      session.keys,
      {
        onProgress: (bytes, total) => this.hooks.progress({ contentId: header.contentId, direction: 'download', bytes, total }),
        onVerifyFailure: (error) => this.hooks.error(error),
      },
      this.hooks.stallTimeoutMs,
    );
    this.#transfers.set(header.contentId, transfer);
    const forget = () => {
      if (this.#transfers.get(header.contentId) === transfer) this.#transfers.delete(header.contentId);
    };
    transfer.received.then(forget, forget);
    transfer.descriptor.then(
      (descriptor) => {
        // Announced even if it already failed: its readers then reject with the reason.
        transfer.announced = true;
        this.hooks.item(new Item(header, descriptor, transfer));
        if (header.totalChunks === 0) {
          this.hooks.progress({ contentId: header.contentId, direction: 'download', bytes: descriptor.size, total: descriptor.size });
        }
      },
      () => {}, // reported through onVerifyFailure
    );
  }

  onChunk(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    const parsed = parsePayload(RelayedChunkSchema, payload);
    if (!parsed.ok) {
      this.hooks.error(new ShareError('INVALID_PAYLOAD', `The server relayed a malformed chunk: ${parsed.reason}`));
      return;
    }
    // Chunks of items we never saw announced (joined mid-transfer) are of no use without their descriptor.
    this.#transfers.get(parsed.value.chunk.contentId)?.accept(parsed.value.chunk, parsed.value.senderId);
  }

  /** content-cancelled: the sender stopped, or the server refused the rest. */
  onCancelled(payload: unknown): void {
    const ref = this.#refOf(payload);
    if (!ref) return;
    const code: ErrorCode = isErrorCode(ref.code) ? ref.code : 'CANCELLED';
    const error = new ShareError(code, 'The sender stopped sharing this item', { contentId: ref.contentId });
    this.#stop(ref.contentId, error);
  }

  /** content-removed: a member deleted the item; an unfinished one will never complete. */
  onRemoved(payload: unknown): void {
    const ref = this.#refOf(payload);
    if (!ref) return;
    this.#stop(ref.contentId, cancelledError(ref.contentId, 'This item was removed'));
    this.hooks.removed(ref.contentId);
  }

  onCleared(payload: unknown): void {
    if (!this.#sessionOf(payload)) return;
    this.failAll(cancelledError(undefined, 'The session was cleared'));
    this.hooks.cleared();
  }

  /** The sender left: whatever it was sending will not be finished by it. */
  onSenderLeft(senderId: string): void {
    for (const transfer of [...this.#transfers.values()]) {
      if (transfer.senderId === senderId) this.#stop(transfer.contentId, cancelledError(transfer.contentId, 'The sender left'));
    }
  }

  /** Drops an item being received, locally (the protocol has no receiver-side cancel). */
  discard(contentId: string): boolean {
    return this.#transfers.get(contentId)?.fail(cancelledError(contentId, 'This item was discarded')) ?? false;
  }

  /** Leaving, disconnecting or closing: nothing in progress can complete. */
  failAll(error: ShareError): void {
    for (const transfer of [...this.#transfers.values()]) {
      this.#stop(transfer.contentId, new ShareError(error.code, error.message, { contentId: transfer.contentId }));
    }
    this.#transfers.clear();
  }

  #stop(contentId: string, error: ShareError): void {
    const transfer = this.#transfers.get(contentId);
    if (transfer?.fail(error) && transfer.announced) this.hooks.cancelled(contentId, error.code);
  }

  #sessionOf(payload: unknown): { sessionId: string; keys: SessionKeys } | undefined {
    const session = this.hooks.session();
    const sessionId = typeof payload === 'object' && payload !== null ? (payload as { sessionId?: unknown }).sessionId : undefined;
    return session && session.sessionId === sessionId ? session : undefined;
  }

  #refOf(payload: unknown): { contentId: string; code?: string | undefined } | undefined {
    if (!this.#sessionOf(payload)) return undefined;
    const parsed = parsePayload(ContentRefSchema, payload);
    return parsed.ok ? parsed.value : undefined;
  }
}
