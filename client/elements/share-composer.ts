import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';

/** Text to share. */
export class ShareTextEvent extends Event {
  static readonly eventName = 'share-text';
  constructor(readonly text: string) {
    super(ShareTextEvent.eventName, { bubbles: true, composed: true });
  }
}

/** Files to share (from the picker, a paste or a drop). */
export class ShareFilesEvent extends Event {
  static readonly eventName = 'share-files';
  constructor(readonly files: readonly File[]) {
    super(ShareFilesEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * Where text is typed and files are picked. Enter shares the text,
 * Shift+Enter starts a new line.
 *
 * @fires share-text - ShareTextEvent with the text.
 * @fires share-files - ShareFilesEvent with the picked files.
 * @csspart box - The rounded input area.
 * @csspart input - The text area.
 * @csspart send - The send button.
 */
@customElement('share-composer')
export class ShareComposer extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .box {
        display: flex;
        align-items: flex-end;
        gap: 0.4rem;
        padding: 0.4rem;
        border: 1px solid ${token('border')};
        border-radius: ${token('radius')};
        background: ${token('surface')};
        box-shadow: ${token('shadow')};
        transition: border-color 120ms, box-shadow 120ms;
      }
      .box:focus-within {
        border-color: ${token('accent')};
        box-shadow: 0 0 0 3px color-mix(in srgb, ${token('accent')} 22%, transparent);
      }
      textarea {
        flex: 1;
        min-height: 2.5rem;
        max-height: 12rem;
        padding: 0.55rem 0.4rem;
        border: 0;
        background: transparent;
        resize: none;
        field-sizing: content;
        line-height: 1.45;
      }
      .box textarea:focus-visible {
        outline: none;
        box-shadow: none;
      }
      .hint {
        margin: 0.4rem 0.25rem 0;
        color: ${token('text-muted')};
        font-size: 0.75rem;
      }
      kbd {
        font: inherit;
        font-weight: 600;
      }
      /* Keys and dropping are for a keyboard and a mouse: no hint on touch screens. */
      @media (hover: none), (pointer: coarse) {
        .hint {
          display: none;
        }
      }
    `,
  ];

  @property() accessor placeholder = 'Type something to share…';

  @state() private accessor text = '';
  @query('textarea') private accessor input!: HTMLTextAreaElement;
  @query('input[type=file]') private accessor picker!: HTMLInputElement;

  override render() {
    return html`<div part="box" class="box">
        <button type="button" class="ghost icon" aria-label="Share files" title="Share files" @click=${() => this.picker.click()}>
          ${icons.attach}
        </button>
        <input type="file" multiple hidden @change=${this.#picked} />
        <label class="visually-hidden" for="text">Text to share</label>
        <textarea
          id="text"
          part="input"
          rows="1"
          enterkeyhint="send"
          placeholder=${this.placeholder}
          .value=${this.text}
          @input=${(e: InputEvent) => (this.text = (e.target as HTMLTextAreaElement).value)}
          @keydown=${this.#keydown}
        ></textarea>
        <button part="send" type="button" class="primary icon" aria-label="Share text" title="Share text"
          ?disabled=${!this.text.trim()} @click=${this.#send}>
          ${icons.send}
        </button>
      </div>
      <p class="hint"><kbd>Enter</kbd> to share · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · paste or drop files anywhere</p>`;
  }

  /** Moves keyboard focus to the text area. */
  override focus(): void {
    this.input?.focus();
  }

  #keydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.#send();
  }

  #send(): void {
    const text = this.text;
    if (!text.trim()) return;
    this.text = '';
    this.dispatchEvent(new ShareTextEvent(text));
    this.input.focus();
  }

  #picked(): void {
    const files = [...(this.picker.files ?? [])];
    this.picker.value = '';
    if (files.length > 0) this.dispatchEvent(new ShareFilesEvent(files));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-composer': ShareComposer;
  }
  interface HTMLElementEventMap {
    'share-text': ShareTextEvent;
    'share-files': ShareFilesEvent;
  }
}
