/**
 * The messages between a page and the service worker for a streamed
 * download (client/state/stream-download.ts, client/sw/stream-download.ts).
 * The page announces {type: 'stream-download', id, name, size} with a port;
 * on that port the worker answers 'ready', then sends 'pull' for more
 * (or 'cancel'), and the page answers each pull with the next chunks.
 */
export const STREAM_DOWNLOAD_PATH = '/stream-download/';

export interface StreamDownloadAnnounce {
  type: 'stream-download';
  id: string;
  name: string;
  size: number;
}

/** `parts`: the next chunks in order (several per message: a message costs more than its bytes), then possibly the end. */
export type StreamDownloadPiece = { type: 'chunks'; parts: ArrayBuffer[]; end: boolean } | { type: 'error' };
