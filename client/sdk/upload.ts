/**
 * Sending one item: the encrypted descriptor, then its chunks through a
 * sliding window. Up to `window` chunks (shared by all uploads of a client)
 * are read, encrypted or waiting for the server's ack at any time; reading
 * and encrypting the next chunks overlaps with sending, and nothing ever
 * waits a round trip per chunk.
 */
import { encryptChunk, encryptDescriptor } from '../../protocol/crypto/index.ts';
import type { ContentDescriptor, SessionKeys } from '../../protocol/crypto/index.ts';
import { toShareError } from './errors.ts';
import { Semaphore, abortable } from './flow.ts';
import { request } from './socket.ts';
import type { ClientSocket } from './socket.ts';
import type { ChunkSource } from './sources.ts';

export interface UploadTarget {
  socket: ClientSocket;
  sessionId: string;
  keys: SessionKeys;
  window: Semaphore;
  requestTimeoutMs: number;
  chunkAckTimeoutMs: number;
}

export interface UploadJob {
  contentId: string;
  descriptor: ContentDescriptor;
  totalChunks: number;
  /** Absent for inline text. */
  source: ChunkSource | undefined;
  /** Lets this client take the upload back after a reconnection (to finish or cancel it). */
  resumeToken: Uint8Array | undefined;
  /** Aborted (with a ShareError as reason) to cancel. */
  signal: AbortSignal;
  /** Plaintext bytes acknowledged so far. */
  onProgress(bytes: number): void;
  /** The last message is on the wire: a cancel would now arrive after the item is complete. */
  onAllSent(): void;
}

/** Resolves once the server acknowledged everything; on failure tells the others and rejects with a ShareError. */
export async function upload(target: UploadTarget, job: UploadJob): Promise<void> {
  const { socket, sessionId, keys } = target;
  const { contentId, totalChunks, signal } = job;
  let announce: Promise<unknown> | undefined;
  try {
    const sealed = await abortable(
      encryptDescriptor(keys.metadataKey, sessionId, contentId, totalChunks, job.descriptor),
      signal,
    );
    if (totalChunks === 0) await abortable(job.source?.expectEnd() ?? Promise.resolve(), signal);
    signal.throwIfAborted();
    const content = {
      contentId,
      totalChunks,
      encryptedDescriptor: sealed.encryptedData,
      iv: sealed.iv,
      ...(job.resumeToken ? { resumeToken: job.resumeToken } : {}),
    };
    announce = request(socket, 'content', { sessionId, content }, target.requestTimeoutMs, contentId);
    if (totalChunks === 0) {
      job.onAllSent(); // an item without chunks is delivered whole: nothing left to cancel
      await announce;
      job.onProgress(job.descriptor.size);
      return;
    }
    await sendChunks(target, job, job.source!, announce);
  } catch (error) {
    const failure = toShareError(error, 'INTERNAL', contentId);
    // Only once the server has the item (it handles messages concurrently: an early cancel finds nothing).
    const accepted = await announce?.then(() => true, () => false);
    if (accepted && totalChunks > 0 && socket.connected) {
      // So the receivers stop waiting; the server may already have dropped it (NOT_FOUND): fine.
      await request(socket, 'cancel-content', { sessionId, contentId }, target.requestTimeoutMs).catch(() => {});
    }
    throw failure;
  } finally {
    // Not awaited: an async generator blocked in next() only returns after that next() settles.
    void job.source?.close();
  }
}

async function sendChunks(target: UploadTarget, job: UploadJob, source: ChunkSource, announce: Promise<unknown>) {
  const { socket, sessionId, keys, window } = target;
  const { contentId, totalChunks } = job;
  // The first failure of anything in flight (or the caller's abort) stops the loop at once.
  const stop = new AbortController();
  const unlink = forwardAbort(job.signal, stop);
  let failure: { error: unknown } | undefined;
  const inflight = new Set<Promise<void>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.then(
      () => void inflight.delete(settled),
      (error: unknown) => {
        inflight.delete(settled);
        if (failure) return;
        failure = { error };
        stop.abort(error);
      },
    );
    inflight.add(settled);
  };

  let acknowledged = 0;
  // No chunk goes out before the server has acknowledged the item: it handles messages concurrently,
  // so a chunk sent earlier could be refused or relayed ahead of the item. Reading and encrypting
  // the first window of chunks overlaps with that round trip.
  let emitted: Promise<unknown> = announce;
  track(announce);
  try {
    for (let index = 0; index < totalChunks; index++) {
      stop.signal.throwIfAborted();
      await window.acquire(stop.signal);
      let held = true;
      const release = () => {
        if (held) window.release();
        held = false;
      };
      try {
        const plaintext = await abortable(source.read(index), stop.signal);
        const length = plaintext.length;
        const parts = { sessionId, contentId, chunkIndex: index, totalChunks };
        const sealing = encryptChunk(keys.contentKey, parts, plaintext);
        sealing.catch(() => {}); // awaited below, maybe later than it fails
        const last = index === totalChunks - 1;
        // Emit in index order (receivers stream in order) while later chunks are still being encrypted.
        const onWire = emitted.then(async () => {
          const { iv, encryptedData } = await sealing;
          stop.signal.throwIfAborted(); // nothing may follow a cancel-content on the wire
          const chunk = { contentId, chunkIndex: index, totalChunks, encryptedData, iv };
          const ack = request(socket, 'chunk', { sessionId, chunk }, target.chunkAckTimeoutMs, contentId);
          if (last) job.onAllSent();
          return { ack }; // wrapped so the next emit need not wait for this ack
        });
        emitted = onWire.catch(() => {});
        track(
          onWire
            .then(({ ack }) => ack)
            .then(() => job.onProgress((acknowledged += length)))
            .finally(release),
        );
      } catch (error) {
        release();
        throw error;
      }
    }
    await abortable(Promise.all(inflight), stop.signal);
    if (failure) throw failure.error;
  } catch (error) {
    stop.abort(error); // nothing more goes on the wire...
    await Promise.all(inflight); // ...and the server is done with what did, before anyone sends cancel-content
    throw error;
  } finally {
    unlink();
  }
}

/** Aborts `target` when `source` aborts, with the same reason; returns the unlink function. */
function forwardAbort(source: AbortSignal, target: AbortController): () => void {
  if (source.aborted) {
    target.abort(source.reason);
    return () => {};
  }
  const onAbort = () => target.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}
