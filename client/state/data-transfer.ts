/**
 * What a paste or a drop carries, as things to share: files (and images)
 * first; plain text otherwise. Also copying to the clipboard.
 */
export interface Shareables {
  files: File[];
  text: string;
}

export function shareablesOf(data: DataTransfer | null): Shareables {
  if (!data) return { files: [], text: '' };
  const files = [...data.files];
  // Some browsers put pasted images only in items, not in files.
  if (files.length === 0) {
    for (const item of data.items ?? []) {
      const file = item.kind === 'file' ? item.getAsFile() : null;
      if (file) files.push(file);
    }
  }
  return { files, text: files.length > 0 ? '' : data.getData('text/plain') };
}

/** True while a drag carries files (not text or links dragged within the page). */
export function carriesFiles(data: DataTransfer | null): boolean {
  return !!data && [...data.types].includes('Files');
}

/** A pasted screenshot is usually called "image.png"; give it a name that tells it apart. */
export function nameOf(file: File, now = new Date()): string {
  if (file.name && file.name !== 'image.png' && file.name !== 'blob') return file.name;
  const stamp = now.toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '.');
  const ext = file.type.split('/')[1]?.split('+')[0] ?? 'bin';
  return `Pasted ${file.type.startsWith('image/') ? 'image' : 'file'} ${stamp}.${ext}`;
}

export async function copyText(text: string): Promise<void> {
  await navigator.clipboard.writeText(text);
}

/** Browsers accept image/png on the clipboard; anything else is converted first. */
export async function copyImage(blob: Blob): Promise<void> {
  const png = blob.type === 'image/png' ? blob : await toPng(blob);
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
}

async function toPng(blob: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.convertToBlob({ type: 'image/png' });
}

/** Pixel size of an image, or undefined when the browser cannot decode it. */
export async function imageSize(file: Blob): Promise<{ width: number; height: number } | undefined> {
  if (typeof createImageBitmap !== 'function') return undefined;
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return undefined;
  }
}
