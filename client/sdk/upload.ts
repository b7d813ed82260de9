/**
 * Sending one item: the encrypted descriptor, then its chunks through a
 * sliding window. Up to `window` chunks (shared by all uploads of a client)
 * are read, encrypted or waiting for the server's ack at any time; reading
 * and encrypting the next chunks overlaps with sending, and nothing ever
 * waits a round trip per chunk. Every item carries a resume token, so after a
 * lost connection (or a server restart) the upload continues from a new
 * connection with exactly the chunks the server lacks.
 */
import { encryptDescriptor } from '../../protocol/crypto/index.ts';
import type { ContentDescriptor, SessionKeys } from '../../protocol/crypto/index.ts';
import { ShareError, toShareError } from './errors.ts';
import { Semaphore, abortable, onAbort } from './flow.ts';
import { delay, request, requestPaced, retryWait } from './socket.ts';
import type { ClientSocket } from './socket.ts';
import { chunkLength, type ChunkSource } from './sources.ts';
import type { ChunkCipher } from './chunk-cipher.ts';

export interface UploadTarget {
  socket: ClientSocket;
  sessionId: string;
  keys: SessionKeys;
  chunkCipher: ChunkCipher;
  window: Semaphore;
  requestTimeoutMs: number;
  chunkAckTimeoutMs: number;
  /**
   * Resolves once the session is joined on the current connection (at once
   * when it is); rejects when the session is over (left, closed, re-join refused).
   */
  ready(signal: AbortSignal): Promise<void>;
  /** Changes whenever the connection is lost: a failure seen after a change is an interruption, not a refusal. */
  connection(): number;
  /** Aborts when the current connection is lost (so a pass blocked reading its source stops too). */
  connectionSignal(): AbortSignal;
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
  /** Chunks are (again) to be sent: a cancel means something again. */
  onSending(): void;
  /**
   * The upload ends while the server may still hold it unfinished and cannot
   * be told now (no connection): cancel it there once the session is re-joined.
   */
  onAbandoned(): void;
}

/** What the server knows of the item: nothing yet, maybe (the announce got no answer), or for sure. */
type Announced = 'no' | 'unknown' | 'yes';

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

/**
 * Resolves once the server acknowledged everything; on failure tells the
 * others and rejects with a ShareError. A lost connection is not a failure
 * when the source can be read again: the upload waits for the session to be
 * re-joined, asks the server what it lacks (resume-upload) and sends exactly
 * that. Sources that cannot be re-read fail with UNAVAILABLE and are cancelled
 * on the server after the re-join.
 */
export async function upload(target: UploadTarget, job: UploadJob): Promise<void> {
  const { socket, sessionId, keys } = target;
  const { contentId, totalChunks, signal, source } = job;
  const timeout = target.requestTimeoutMs;
  let announced: Announced = 'no';
  let connection = target.connection();
  try {
    const sealed = await abortable(
      encryptDescriptor(keys.metadataKey, sessionId, contentId, totalChunks, job.descriptor),
      signal,
    );
    if (totalChunks === 0) await abortable(source?.expectEnd() ?? Promise.resolve(), signal);
    const content = {
      contentId,
      totalChunks,
      encryptedDescriptor: sealed.encryptedData,
      iv: sealed.iv,
      ...(job.resumeToken ? { resumeToken: job.resumeToken } : {}),
    };
    const announce = async (again: boolean) => {
      // Refused for now (the server's storage did not answer): sent again after the wait it states.
      for (let attempt = 1; ; attempt++) {
        announced = announced === 'yes' ? 'yes' : 'unknown';
        try {
          await request(socket, 'content', { sessionId, content }, timeout, contentId);
          announced = 'yes';
          return;
        } catch (error) {
          // Our id is 128 random bits: a conflict on a second try means an earlier one landed.
          if ((again || attempt > 1) && error instanceof ShareError && error.code === 'CONFLICT') {
            announced = 'yes';
            return;
          }
          const wait = retryWait(error, attempt);
          if (wait === undefined) throw error;
          await delay(Math.max(wait, 10), signal);
        }
      }
    };
    const resume = async (): Promise<number[] | undefined> => {
      try {
        const { missing } = await request(socket, 'resume-upload', { sessionId, contentId, resumeToken: job.resumeToken! }, timeout, contentId);
        announced = 'yes';
        if (!Array.isArray(missing) || !missing.every((i) => Number.isInteger(i) && i >= 0 && i < totalChunks)) {
          throw new ShareError('INTERNAL', 'The server sent a malformed resume answer', { contentId });
        }
        return missing;
      } catch (error) {
        if (!(error instanceof ShareError) || error.code !== 'NOT_FOUND') throw error;
        // Never stored (the announce was lost): announce again. Stored once, now gone: removed.
        if (announced === 'unknown') return undefined;
        throw new ShareError('CANCELLED', 'The item was removed while the upload was interrupted', { contentId, cause: error });
      }
    };

    for (let pass = 0; ; pass++) {
      await target.ready(signal);
      connection = target.connection();
      const lost = target.connectionSignal();
      try {
        job.onSending();
        let gate: Promise<unknown> = Promise.resolve();
        let indices: number[] | undefined;
        if (announced === 'no') gate = announce(false);
        else if (totalChunks === 0) gate = announced === 'yes' ? gate : announce(true);
        else {
          indices = await resume();
          if (indices === undefined) gate = announce(true);
        }
        if (totalChunks === 0) {
          job.onAllSent(); // an item without chunks is delivered whole: nothing left to cancel
          await gate;
          job.onProgress(job.descriptor.size);
          return;
        }
        indices ??= range(totalChunks);
        let acknowledged = job.descriptor.size;
        for (const index of indices) acknowledged -= chunkLength(job.descriptor.size, job.descriptor.chunkSize, index);
        if (pass > 0) job.onProgress(acknowledged);
        await sendChunks(target, job, source!, gate, indices, acknowledged, lost);
        return;
      } catch (error) {
        const interrupted = target.connection() !== connection;
        const resumable = totalChunks === 0 || source?.rereadable === true;
        if (!interrupted || signal.aborted || !resumable) throw error;
        // The connection went: wait for the re-join, then ask what is missing (cancellable meanwhile).
        job.onSending();
      }
    }
  } catch (error) {
    const failure = toShareError(signal.aborted ? signal.reason : error, 'INTERNAL', contentId);
    if (announced !== 'no' && totalChunks > 0) {
      if (socket.connected && target.connection() === connection) {
        // So the receivers stop waiting; the server may already have dropped it (NOT_FOUND): fine.
        if (announced === 'yes') await request(socket, 'cancel-content', { sessionId, contentId }, timeout).catch(() => {});
        else job.onAbandoned(); // the announce's fate is unknown: settle it after the next join
      } else {
        job.onAbandoned();
      }
    }
    if (target.connection() !== connection && failure.code !== 'CANCELLED' && !signal.aborted) {
      throw new ShareError('UNAVAILABLE', 'The connection was lost and this upload cannot be resumed (its data cannot be read again)', {
        contentId,
        cause: error,
      });
    }
    throw failure;
  } finally {
    // Not awaited: an async generator blocked in next() only returns after that next() settles.
    void source?.close();
  }
}

async function sendChunks(
  target: UploadTarget,
  job: UploadJob,
  source: ChunkSource,
  announce: Promise<unknown>,
  indices: number[],
  acknowledgedBefore: number,
  lost: AbortSignal,
) {
  const { socket, sessionId, keys, window } = target;
  const { contentId, totalChunks } = job;
  // The first failure of anything in flight (or the caller's abort) stops the loop at once.
  const stop = new AbortController();
  const unlink = forwardAbort(job.signal, stop);
  const unlinkLost = forwardAbort(lost, stop);
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

  let acknowledged = acknowledgedBefore;
  // No chunk goes out before the server has acknowledged the item: it handles messages concurrently,
  // so a chunk sent earlier could be refused or relayed ahead of the item. Reading and encrypting
  // the first window of chunks overlaps with that round trip.
  let emitted: Promise<unknown> = announce;
  track(announce);
  try {
    for (let position = 0; position < indices.length; position++) {
      const index = indices[position]!;
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
        const sealing = target.chunkCipher.seal(keys.contentKey, parts, plaintext);
        const sealed = () => source.release(plaintext); // its memory may take later chunks
        sealing.then(sealed, sealed); // a failure is awaited below, maybe later
        const last = position === indices.length - 1;
        // Emit in index order (receivers stream in order) while later chunks are still being encrypted.
        const onWire = emitted.then(async () => {
          const { iv, encryptedData } = await sealing;
          stop.signal.throwIfAborted(); // nothing may follow a cancel-content on the wire
          const chunk = { contentId, chunkIndex: index, totalChunks, encryptedData, iv };
          const ack = requestPaced(socket, 'chunk', { sessionId, chunk }, target.chunkAckTimeoutMs, stop.signal, contentId);
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
    if (indices.length === 0) job.onAllSent();
    await abortable(Promise.all(inflight), stop.signal);
    if (failure) throw failure.error;
  } catch (error) {
    stop.abort(error); // nothing more goes on the wire...
    await Promise.all(inflight); // ...and the server is done with what did, before anyone sends cancel-content
    throw error;
  } finally {
    unlink();
    unlinkLost();
  }
}

/** Aborts `target` when `source` aborts, with the same reason; returns the unlink function. */
function forwardAbort(source: AbortSignal, target: AbortController): () => void {
  if (source.aborted) {
    target.abort(source.reason);
    return () => {};
  }
  return onAbort(source, () => target.abort(source.reason));
}
