/// <reference lib="webworker" />
/**
 * Saving a file as a download that streams, as Firefox Send did: the page
 * announces a download on a MessageChannel (client/state/stream-download.ts),
 * then opens /stream-download/<id> in a hidden frame; this route answers that
 * request with a ReadableStream pulled chunk by chunk from the page, with
 * Content-Disposition: attachment. The browser writes it to disk as it comes,
 * so neither the page nor the browser holds the whole file. Nothing here
 * touches the caches: decrypted bytes are never stored by the worker.
 */
import { registerRoute } from 'workbox-routing';
import { STREAM_DOWNLOAD_PATH, type StreamDownloadAnnounce, type StreamDownloadPiece } from '../state/stream-download-messages.ts';

declare const self: ServiceWorkerGlobalScope;

interface Pending {
  name: string;
  size: number;
  port: MessagePort;
}

/** Chunks the worker asks for ahead of the browser's writes: enough to keep the pipe full, bounded. */
const AHEAD_BYTES = 8 * 1024 * 1024;

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name || 'download')}`;
}

/**
 * Lets V8 free the chunks the browser has already written. They arrive
 * transferred, so this worker's script never allocates their memory, and it
 * allocates next to nothing else: no young collection ran, and the spent
 * chunks waited for full collections that external-memory pressure starts
 * late. They piled up with the file's size (150 MiB at 1 GiB saved, 420 at
 * 4 GiB; the renderer's peak grew ~95 MiB per GiB). When script allocates an
 * ArrayBuffer, V8 first runs a young collection if young ArrayBuffers hold
 * more than twice its semi-space (about 64 MiB in Chromium 156): one tiny
 * allocation per piece bounds the spent chunks there, whatever the size.
 */
function letV8FreeSpentChunks(): void {
  void new ArrayBuffer(1);
}

/** A stream that asks the page for each piece over `port` when the browser wants more. */
function pulledFrom(port: MessagePort): ReadableStream<Uint8Array> {
  let answer: ((piece: StreamDownloadPiece) => void) | undefined;
  port.onmessage = (event: MessageEvent<StreamDownloadPiece>) => answer?.(event.data);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const piece = await new Promise<StreamDownloadPiece>((resolve) => {
          answer = resolve;
          port.postMessage('pull');
        });
        if (piece.type === 'error') {
          controller.error(new Error('The item could not be read'));
          port.close();
          return;
        }
        for (const part of piece.parts) controller.enqueue(new Uint8Array(part));
        letV8FreeSpentChunks();
        if (piece.end) {
          controller.close();
          port.close();
        }
      },
      cancel() {
        port.postMessage('cancel');
        port.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: AHEAD_BYTES }),
  );
}

export function registerStreamDownload(): void {
  const pending = new Map<string, Pending>();

  self.addEventListener('message', (event) => {
    const data = event.data as StreamDownloadAnnounce | { type?: unknown } | undefined;
    const port = event.ports[0];
    if (data?.type !== 'stream-download' || !port) return;
    const { id, name, size } = data as StreamDownloadAnnounce;
    if (typeof id !== 'string' || typeof name !== 'string' || !Number.isSafeInteger(size)) return;
    pending.set(id, { name, size, port });
    port.postMessage('ready');
  });

  registerRoute(
    ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(STREAM_DOWNLOAD_PATH),
    async ({ url }) => {
      const id = url.pathname.slice(STREAM_DOWNLOAD_PATH.length);
      const entry = pending.get(id);
      pending.delete(id); // one request per announcement
      if (!entry) return new Response('This download is no longer available.', { status: 404 });
      return new Response(pulledFrom(entry.port), {
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(entry.size),
          'Content-Disposition': contentDisposition(entry.name),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        },
      });
    },
    'GET',
  );
}
