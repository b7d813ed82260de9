/**
 * Paste and drop anywhere: a Lit ReactiveController that listens on the page
 * (or only on its host element) while enabled. Pasted or dropped files are
 * shared; pasted text is shared unless it is going into a text field (where
 * it is simply pasted). `dragging` is true while files are dragged over.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { carriesFiles, shareablesOf } from './data-transfer.ts';
import type { Shareables } from './data-transfer.ts';

export interface PageInputOptions {
  /** Where to listen: the whole document, or only the host element. */
  scope(): 'page' | 'self';
  enabled(): boolean;
  share(what: Shareables): void;
}

function isEditable(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return !target.readOnly;
  return target instanceof HTMLInputElement && !target.readOnly && !['checkbox', 'radio', 'button', 'submit', 'file'].includes(target.type);
}

export class PageInput implements ReactiveController {
  dragging = false;
  #target: EventTarget | undefined;
  /** dragenter/dragleave fire for every child crossed: count them. */
  #depth = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: PageInputOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#target = this.options.scope() === 'page' ? document : this.host;
    for (const [type, listener] of this.#listeners) this.#target.addEventListener(type, listener);
  }

  hostDisconnected(): void {
    for (const [type, listener] of this.#listeners) this.#target?.removeEventListener(type, listener);
    this.#target = undefined;
  }

  /** Call when `scope()` changed. */
  rebind(): void {
    this.hostDisconnected();
    this.hostConnected();
  }

  #setDragging(value: boolean): void {
    if (this.dragging === value) return;
    this.dragging = value;
    this.host.requestUpdate();
  }

  #paste = (event: Event): void => {
    const clipboard = (event as ClipboardEvent).clipboardData;
    if (!this.options.enabled() || !clipboard) return;
    const what = shareablesOf(clipboard);
    if (what.files.length === 0 && (!what.text || isEditable(event.composedPath()[0]))) return;
    event.preventDefault();
    this.options.share(what);
  };

  #dragEnter = (event: Event): void => {
    const data = (event as DragEvent).dataTransfer;
    if (!this.options.enabled() || !carriesFiles(data)) return;
    this.#depth++;
    this.#setDragging(true);
  };

  #dragOver = (event: Event): void => {
    const data = (event as DragEvent).dataTransfer;
    if (!this.options.enabled() || !carriesFiles(data)) return;
    event.preventDefault(); // allows the drop
    if (data) data.dropEffect = 'copy';
  };

  #dragLeave = (): void => {
    this.#depth = Math.max(0, this.#depth - 1);
    if (this.#depth === 0) this.#setDragging(false);
  };

  #drop = (event: Event): void => {
    this.#depth = 0;
    this.#setDragging(false);
    const data = (event as DragEvent).dataTransfer;
    if (!this.options.enabled() || !data) return;
    const what = shareablesOf(data);
    if (what.files.length === 0) return;
    event.preventDefault();
    this.options.share({ files: what.files, text: '' });
  };

  readonly #listeners: Array<[string, (event: Event) => void]> = [
    ['paste', this.#paste],
    ['dragenter', this.#dragEnter],
    ['dragover', this.#dragOver],
    ['dragleave', this.#dragLeave],
    ['drop', this.#drop],
  ];
}
