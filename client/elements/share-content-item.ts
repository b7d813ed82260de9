import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { finalExtension } from '../../protocol/names.ts';
import { formatBytes, formatFullTime, formatTime } from '../state/format.ts';
import type { ItemCapabilities, TimelineItem } from '../state/timeline-item.ts';
import { NO_CAPABILITIES } from '../state/timeline-item.ts';
import { icons } from '../styles/icons.ts';
import { controls } from '../styles/tokens.ts';
import { itemStyles } from './share-content-item.styles.ts';
import './share-confirm-dialog.ts';
import type { DialogAnswerEvent } from './share-confirm-dialog.ts';
import './share-file-icon.ts';
import './share-preview.ts';
import './share-transfer-progress.ts';
import { previewKind } from './share-preview.ts';

export type ItemAction = 'save' | 'copy' | 'cancel' | 'remove' | 'pin' | 'unpin' | 'rename';

/** The person asked for something to be done to an item; `name` comes with "rename". */
export class ItemActionEvent extends Event {
  static readonly eventName = 'item-action';
  constructor(
    readonly action: ItemAction,
    readonly key: string,
    readonly name?: string,
  ) {
    super(ItemActionEvent.eventName, { bubbles: true, composed: true });
  }
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Text with http(s) links made clickable; nothing else is interpreted. */
function linkify(text: string) {
  const parts: unknown[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, match.index), html`<a href=${match[0]} target="_blank" rel="noopener noreferrer">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/**
 * One shared item: a text, an image or a file, with who shared it and when,
 * its transfer progress, and what can be done with it.
 *
 * @fires item-action - ItemActionEvent: save, copy, cancel, remove, pin, unpin or rename.
 * @csspart extension - The badge with a file's final extension (".exe").
 * @csspart card - The item's card.
 * @csspart text - The text of a text item.
 * @csspart actions - The row of buttons.
 */
/**
 * A short type for the size line: the name's extension ("XLSX"), else a short
 * MIME subtype; never a long raw MIME type, which would wrap on a phone.
 */
function typeLabel(item: TimelineItem): string {
  const extension = /\.([a-z0-9]{1,8})$/i.exec(item.name)?.[1];
  const subtype = item.mimeType.split('/')[1] ?? '';
  const short = extension ?? (subtype.length > 0 && subtype.length <= 10 ? subtype : '');
  return short ? ` · ${short.toUpperCase()}` : '';
}

@customElement('share-content-item')
export class ShareContentItem extends LitElement {
  static override styles = [controls, itemStyles];

  @property({ attribute: false }) accessor item: TimelineItem | undefined;
  @property({ attribute: false }) accessor capabilities: ItemCapabilities = NO_CAPABILITIES;

  @state() private accessor expanded = false;
  @state() private accessor renaming = false;
  /** Asking before a delete that reaches every device. */
  @state() private accessor confirmingDelete = false;

  override render() {
    const item = this.item;
    if (!item) return nothing;
    const stopped = item.status === 'failed' || item.status === 'cancelled';
    return html`<article part="card" class="card" ?data-mine=${item.mine} ?data-stopped=${stopped} aria-label=${this.#label(item)}>
      <header>
        <span class="who">${item.mine ? 'You' : item.senderName}</span>
        <time datetime=${new Date(item.timestamp).toISOString()} title=${formatFullTime(item.timestamp)}
          >${formatTime(item.timestamp)}</time
        >
        ${item.pinned ? html`<span class="badge">${icons.pin}Pinned</span>` : nothing}
        ${item.status === 'queued' ? html`<span class="badge wait">Waiting for connection</span>` : nothing}
        ${item.status === 'sending' && !item.progress ? html`<span class="badge wait">Sending…</span>` : nothing}
      </header>
      ${this.#body(item)}
      ${item.progress && (item.status === 'sending' || item.status === 'receiving')
        ? html`<share-transfer-progress
            .bytes=${item.progress.bytes}
            .total=${item.progress.total}
            .bytesPerSecond=${item.progress.bytesPerSecond}
            .secondsLeft=${item.progress.secondsLeft}
            .direction=${item.progress.direction}
            @transfer-cancel=${this.#onCancel}
          ></share-transfer-progress>`
        : nothing}
      ${stopped && item.error ? html`<p class="error" role="status">${item.error}</p>` : nothing}
      ${this.renaming ? this.#renameForm(item) : this.#actions(item, stopped)}
      <share-confirm-dialog heading="Delete for everyone?" confirm-label="Delete" destructive
        .open=${this.confirmingDelete} @dialog-answer=${this.#deleteAnswered}>
        ${item.kind === 'text' ? 'This text' : `“${item.name || 'Untitled'}”`} is deleted from every device in the
        session and from its stored history. This cannot be undone.
      </share-confirm-dialog>
    </article>`;
  }

  #body(item: TimelineItem) {
    if (item.kind === 'text') {
      const long = (item.text?.length ?? 0) > 600 || (item.text?.split('\n').length ?? 0) > 12;
      // No whitespace around the text: the box keeps white space as typed.
      const text = item.text === undefined ? html`<span class="muted">Decrypting…</span>` : linkify(item.text);
      return html`<div part="text" class="text ${long && !this.expanded ? 'clamped' : ''}">${text}</div>
        ${long
          ? html`<button type="button" class="ghost more" aria-expanded=${this.expanded} @click=${() => (this.expanded = !this.expanded)}>
              ${this.expanded ? 'Show less' : 'Show more'}
            </button>`
          : nothing}`;
    }
    const preview = item.previewUrl && previewKind(item.mimeType);
    const dims = item.width && item.height ? ` · ${item.width}×${item.height}` : '';
    // The extension the system goes by, apart from a long name's ellipsis (protocol/names.ts).
    const extension = finalExtension(item.name);
    return html`${preview
        ? html`<share-preview src=${item.previewUrl!} mime-type=${item.mimeType} name=${item.name}
            .width=${item.width} .height=${item.height}></share-preview>`
        : nothing}
      <div class="file">
        ${preview ? nothing : html`<share-file-icon mime-type=${item.mimeType} name=${item.name}></share-file-icon>`}
        <div class="file-text">
          <span class="name-line">
            <span class="name" title=${item.name}>${item.name || 'Untitled'}</span>
            ${extension ? html`<span part="extension" class="extension" title="File type: .${extension}">.${extension}</span>` : nothing}
          </span>
          <span class="muted">${formatBytes(item.size)}${dims}${typeLabel(item)}</span>
        </div>
      </div>`;
  }

  #actions(item: TimelineItem, stopped: boolean) {
    const ready = item.status === 'ready';
    const caps = this.capabilities;
    const copyable = ready && (item.kind === 'text' || item.kind === 'image');
    const canSave = item.kind !== 'text' && (ready || (item.status === 'receiving' && !item.mine)) && !item.savedToDisk;
    const remote = ready || item.status === 'receiving' || item.status === 'sending';
    return html`<div part="actions" class="actions">
      ${copyable ? this.#button('copy', icons.copy, item.kind === 'image' ? 'Copy image' : 'Copy text', '', 'Copy') : nothing}
      ${canSave && item.saving
        ? html`<button type="button" class="primary" disabled>
            ${icons.download}<span>${item.status === 'receiving' ? 'Will save when done' : 'Saving…'}</span>
          </button>`
        : canSave
          ? this.#button('save', icons.download, item.status === 'receiving' && !caps.streamToDisk ? 'Save when done' : 'Save', 'primary')
          : nothing}
      ${item.savedToDisk ? html`<span class="muted saved">${icons.check}Saved to disk</span>` : nothing}
      <span class="spacer"></span>
      ${caps.pin && remote ? this.#button(item.pinned ? 'unpin' : 'pin', icons.pin, item.pinned ? 'Unpin' : 'Pin', 'ghost icon') : nothing}
      ${caps.rename && remote && item.kind !== 'text'
        ? html`<button type="button" class="ghost icon" aria-label="Rename" title="Rename" @click=${() => (this.renaming = true)}>
            ${icons.edit}
          </button>`
        : nothing}
      ${stopped || item.status === 'queued'
        ? this.#button('remove', icons.trash, stopped ? 'Dismiss' : 'Remove', 'ghost icon danger')
        : caps.remove && remote
          ? html`<button type="button" class="ghost icon danger" aria-label="Delete for everyone" title="Delete for everyone"
              @click=${() => (this.confirmingDelete = true)}>${icons.trash}</button>`
          : nothing}
    </div>`;
  }

  /** A button named `label` for assistive technology, showing `text` (default: the label) unless icon-only. */
  #button(action: ItemAction, icon: unknown, label: string, variant = '', text = label) {
    const iconOnly = variant.includes('icon');
    return html`<button type="button" class=${variant} aria-label=${label} title=${label} @click=${() => this.#fire(action)}>
      ${icon}${iconOnly ? nothing : html`<span>${text}</span>`}
    </button>`;
  }

  #renameForm(item: TimelineItem) {
    return html`<form class="rename" @submit=${this.#rename} @keydown=${this.#renameKey}>
      <label class="visually-hidden" for="name">New name</label>
      <input id="name" name="name" .value=${item.name} maxlength="255" required />
      <button type="submit" class="primary">Rename</button>
      <button type="button" @click=${() => (this.renaming = false)}>Cancel</button>
    </form>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // Only when the form opens or closes: progress updates must not pull the focus back.
    if (!changed.has('renaming') || changed.get('renaming') === undefined) return;
    const target = this.renaming ? '.rename input' : 'button[aria-label="Rename"]';
    this.renderRoot.querySelector<HTMLElement>(target)?.focus();
  }

  #renameKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.renaming = false;
  };

  #deleteAnswered = (event: DialogAnswerEvent): void => {
    event.stopPropagation();
    this.confirmingDelete = false;
    if (event.confirmed) this.#fire('remove');
  };

  #label(item: TimelineItem): string {
    const what = item.kind === 'text' ? 'Text' : item.kind === 'image' ? `Image ${item.name}` : `File ${item.name}`;
    return `${what} from ${item.mine ? 'you' : item.senderName}`;
  }

  #fire(action: ItemAction, name?: string): void {
    if (this.item) this.dispatchEvent(new ItemActionEvent(action, this.item.key, name));
  }

  #onCancel(event: Event): void {
    event.stopPropagation();
    this.#fire('cancel');
  }

  #rename(event: SubmitEvent): void {
    event.preventDefault();
    const name = new FormData(event.target as HTMLFormElement).get('name')?.toString().trim();
    this.renaming = false;
    if (name && name !== this.item?.name) this.#fire('rename', name);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-content-item': ShareContentItem;
  }
  interface HTMLElementEventMap {
    'item-action': ItemActionEvent;
  }
}
