/**
 * Saving an item to disk. Where the File System Access API exists
 * (Chromium desktop), the bytes are streamed into the file as they are
 * decrypted, never held whole in memory; elsewhere they become a Blob
 * (which browsers may keep on disk themselves) and a download link.
 */
interface SaveFilePickerOptions {
  suggestedName?: string;
  types?: Array<{ description?: string; accept: Record<string, string[]> }>;
}

interface FileSystemWritableFileStream extends WritableStream<Uint8Array> {}

interface FileSystemFileHandleLike {
  createWritable(): Promise<FileSystemWritableFileStream>;
}

type ShowSaveFilePicker = (options?: SaveFilePickerOptions) => Promise<FileSystemFileHandleLike>;

function picker(): ShowSaveFilePicker | undefined {
  const candidate = (globalThis as { showSaveFilePicker?: ShowSaveFilePicker }).showSaveFilePicker;
  // Not inside cross-origin iframes, where the API exists but always throws.
  return typeof candidate === 'function' && globalThis.self === globalThis.top ? candidate.bind(globalThis) : undefined;
}

export function canStreamToDisk(): boolean {
  return picker() !== undefined;
}

/**
 * Asks where to save, then pipes `open()` into the file. Must be called from a
 * user gesture (a click) before any other await. Resolves false when the
 * person closed the dialog.
 */
export async function streamToDisk(name: string, open: () => ReadableStream<Uint8Array>): Promise<boolean> {
  const show = picker();
  if (!show) throw new Error('File System Access is not available');
  let handle: FileSystemFileHandleLike;
  try {
    handle = await show({ suggestedName: name });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return false;
    throw error;
  }
  const writable = await handle.createWritable();
  await open().pipeTo(writable);
  return true;
}

/** The classic download: a temporary link to a blob: URL. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name || 'download';
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Long enough for the browser to start reading it, whatever the size.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
