/**
 * The app's view of an item from another member: metadata from the
 * decrypted descriptor, and readers. Reading a chunked item consumes its
 * queue (memory is released as it is read), so there is one live reader;
 * bytes() keeps its result, and later reads replay it.
 */
import { hexEncode, utf8Encode } from '../../protocol/crypto/index.ts';
import { cleanName } from '../../protocol/names.ts';
import type { ContentDescriptor, ContentKind } from '../../protocol/crypto/index.ts';
import { ShareError, cancelledError } from './errors.ts';
import type { IncomingTransfer } from './incoming-transfer.ts';
import type { ReceivedItem, StreamOptions } from './types.ts';

const decoder = new TextDecoder();

/** Who shared an item and when: the relayed header's or the history header's. */
export interface ItemOrigin {
  contentId: string;
  senderId: string;
  senderName: string;
  timestamp: number;
}

export class Item implements ReceivedItem {
  readonly contentId: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly timestamp: number;
  readonly kind: ContentKind;
  readonly mimeType: string;
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
  readonly received: Promise<void>;
  /** Kept current by the receiver (pin-content, history). */
  pinned = false;
  /** The latest rename, decrypted; undefined for the descriptor's own name. */
  renamed: string | undefined;

  readonly #transfer: IncomingTransfer;
  readonly #descriptor: ContentDescriptor;
  /** Inline text: always readable, any number of times. */
  readonly #inline: Uint8Array | undefined;
  #claimed = false;
  #bytes: Promise<Uint8Array> | undefined;

  constructor(origin: ItemOrigin, descriptor: ContentDescriptor, transfer: IncomingTransfer) {
    this.contentId = origin.contentId;
    this.senderId = origin.senderId;
    this.senderName = origin.senderName;
    this.timestamp = origin.timestamp;
    this.kind = descriptor.kind;
    this.mimeType = descriptor.mimeType;
    this.size = descriptor.size;
    if (descriptor.width !== undefined) this.width = descriptor.width;
    if (descriptor.height !== undefined) this.height = descriptor.height;
    this.received = transfer.received;
    this.#transfer = transfer;
    this.#descriptor = descriptor;
    this.#inline = descriptor.text === undefined ? undefined : utf8Encode(descriptor.text);
  }

  /** As the sender named it, made safe to show (protocol/names.ts: no invisible characters, no padding). */
  get name(): string {
    return cleanName(this.renamed ?? this.#descriptor.name, this.#descriptor.kind === 'text' ? '' : 'file');
  }

  get complete(): boolean {
    return this.#transfer.complete;
  }

  get bufferedBytes(): number {
    return this.#transfer.queue.bufferedBytes;
  }

  async text(): Promise<string> {
    if (this.#descriptor.text !== undefined) return this.#descriptor.text;
    return decoder.decode(await this.bytes());
  }

  bytes(): Promise<Uint8Array> {
    this.#bytes ??= this.#collect();
    return this.#bytes;
  }

  async *stream(options: StreamOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    const offset = options?.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.size) {
      throw new ShareError('INVALID_PAYLOAD', `offset must be an integer in 0..${this.size}`, { contentId: this.contentId });
    }
    if (offset === this.size && offset > 0) return; // already all read: nothing to fetch
    if (this.#inline) {
      if (this.#inline.length > offset) yield this.#inline.subarray(offset);
      return;
    }
    if (this.#bytes) {
      // Replay what bytes() kept, in chunk-sized views.
      const all = await this.#bytes;
      const step = this.#descriptor.chunkSize;
      for (let at = offset; at < all.length; at += step) yield all.subarray(at, at + step);
      return;
    }
    yield* this.#live(offset);
  }

  readable(): ReadableStream<Uint8Array> {
    const iterator = this.stream();
    // highWaterMark 0: pull only when the consumer reads, so chunks stay in one queue (ours).
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        async cancel() {
          await iterator.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }

  discard(): void {
    this.#transfer.fail(cancelledError(this.contentId, 'This item was discarded'), true);
    this.#transfer.queue.fail(cancelledError(this.contentId, 'This item was discarded'));
  }

  async #collect(): Promise<Uint8Array> {
    if (this.#inline) return this.#inline;
    const out = new Uint8Array(this.size);
    let at = 0;
    for await (const chunk of this.#live()) {
      out.set(chunk, at); // the verifier checked every chunk's length against the descriptor
      at += chunk.length;
    }
    if (this.#descriptor.sha256 !== undefined) {
      const digest = hexEncode(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', out)));
      if (digest !== this.#descriptor.sha256) {
        throw new ShareError('INTEGRITY', 'The item does not match its SHA-256', { contentId: this.contentId });
      }
    }
    return out;
  }

  /**
   * The one consumer of the transfer's queue, from byte `offset` on: chunks
   * before the one holding it are neither fetched nor kept. Leaving early
   * discards the rest.
   */
  async *#live(offset = 0): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#claimed) {
      throw new ShareError('CONFLICT', 'This item is already being read; use bytes() to read it more than once', {
        contentId: this.contentId,
      });
    }
    this.#claimed = true;
    let finished = false;
    const first = Math.floor(offset / this.#descriptor.chunkSize);
    let skip = offset - first * this.#descriptor.chunkSize;
    this.#transfer.queue.skipTo(first);
    this.#transfer.claim(); // fetches what is not here yet, a window at a time
    try {
      for (;;) {
        let chunk = await this.#transfer.queue.take();
        if (chunk === undefined) break;
        if (skip > 0) {
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        if (chunk.length > 0) yield chunk;
      }
      finished = true;
    } finally {
      this.#transfer.unclaim();
      if (!finished) this.discard();
    }
  }
}
