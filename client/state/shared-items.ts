/**
 * What another app shared with the installed app (the manifest's
 * share_target): at most one text, made of the title, text and URL, and any
 * files. Built in the service worker from the form another app posted; held
 * in memory only, never stored.
 */
export interface SharedItems {
  text: string | undefined;
  files: File[];
}

/** The page asks the service worker for what it holds (postMessage with a MessagePort for the reply). */
export interface TakeShareRequest {
  type: 'take-share';
  id: string;
}

/** `undefined` when the id is unknown or was taken already. */
export interface TakeShareReply {
  items: SharedItems | undefined;
}

/** Reads the share target's form (fields title, text, url, files; see manifest.webmanifest). */
export function sharedItemsFromForm(form: FormData): SharedItems {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const [title, text, url] = [field('title'), field('text'), field('url')];
  // Apps often put the URL in the text as well: once is enough.
  const parts = [title, text, url && !text.includes(url) ? url : ''].filter((part) => part !== '');
  const files = form.getAll('files').filter((value): value is File => typeof value !== 'string' && (value.size > 0 || value.name !== ''));
  return { text: parts.length ? parts.join('\n') : undefined, files };
}

export function isEmpty(items: SharedItems): boolean {
  return items.text === undefined && items.files.length === 0;
}

/** "1 text and 2 files", for messages about them. */
export function describeSharedItems(items: SharedItems): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [items.text !== undefined ? '1 text' : '', items.files.length ? count(items.files.length, 'file', 'files') : ''];
  return parts.filter((part) => part !== '').join(' and ');
}
