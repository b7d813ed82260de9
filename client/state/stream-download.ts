/**
 * A download that streams through the app's service worker
 * (client/sw/stream-download.ts), for browsers without File System Access
 * (Firefox, Safari, Chromium on phones): the page hands the decrypted chunks
 * to the worker one at a time as the browser writes them to disk, so a large
 * file is never held whole in memory. It needs the app's service worker to
 * control the page: not on a self-signed certificate (browsers refuse the
 * worker there) nor in elements embedded on another origin (whose service
 * worker, if any, is not ours); there the caller falls back to a Blob.
 */
import { STREAM_DOWNLOAD_PATH, type StreamDownloadAnnounce, type StreamDownloadPiece } from './stream-download-messages.ts';

/** How long the worker has to answer before the save falls back to a Blob (it is not ours, or it is asleep and slow). */
const HANDSHAKE_MS = 2000;
/** Browsers stop an idle service worker after ~30 s; a message now and then keeps it alive during a long download. */
const KEEP_ALIVE_MS = 10_000;
/** Chunks go to the worker about this much at a time: each message has a cost of its own. */
const PIECE_BYTES = 1024 * 1024;

/** Whether a streamed download may work here: a service worker controls the page (confirmed by the handshake). */
export function canStreamDownload(): boolean {
  return typeof navigator !== 'undefined' && navigator.serviceWorker?.controller != null;
}

/** Announces the download with the worker's end of `channel`; resolves whether the worker answered on ours. */
function handshake(worker: ServiceWorker, channel: MessageChannel, announce: StreamDownloadAnnounce): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), HANDSHAKE_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data === 'ready');
    };
    worker.postMessage(announce, [channel.port2]);
  });
}

/** The bytes of `chunk` as a buffer that can be transferred: its own when the view covers it whole, else a copy. */
function ownBuffer(chunk: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = chunk;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return chunk.slice().buffer;
}

/**
 * Streams `open()` to a download named `name`. Resolves false without
 * calling `open()` when no service worker of ours answers (then the caller
 * saves otherwise), true once every byte went to the browser; rejects if
 * reading fails or the person cancels the download.
 */
export async function streamThroughServiceWorker(name: string, size: number, open: () => ReadableStream<Uint8Array>): Promise<boolean> {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return false;
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  const port = channel.port1;
  if (!(await handshake(worker, channel, { type: 'stream-download', id, name, size }))) {
    port.close();
    return false;
  }
  const reader = open().getReader();
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `${STREAM_DOWNLOAD_PATH}${id}`;
  const keepAlive = setInterval(() => worker.postMessage({ type: 'keep-alive' }), KEEP_ALIVE_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (piece: StreamDownloadPiece, transfer: Transferable[] = []) => port.postMessage(piece, transfer);
      port.onmessage = async (event) => {
        if (event.data === 'cancel') {
          void reader.cancel().catch(() => {});
          reject(new Error('The download was cancelled.'));
          return;
        }
        if (event.data !== 'pull') return;
        try {
          const parts: ArrayBuffer[] = [];
          let bytes = 0;
          let end = false;
          while (bytes < PIECE_BYTES) {
            const { done, value } = await reader.read();
            if (done) {
              end = true;
              break;
            }
            const part = ownBuffer(value);
            parts.push(part);
            bytes += part.byteLength;
          }
          send({ type: 'chunks', parts, end }, parts);
          if (end) resolve();
        } catch (error) {
          send({ type: 'error' });
          reject(error);
        }
      };
      document.body.append(frame);
    });
    return true;
  } finally {
    clearInterval(keepAlive);
    port.close();
    // The browser has taken the response over as a download; the frame is no longer needed.
    setTimeout(() => frame.remove(), 1000);
  }
}
