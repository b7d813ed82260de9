import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controls } from '../styles/tokens.ts';
import { icons } from '../styles/icons.ts';

/** Fired after `value` was written to the clipboard. */
export class CopiedEvent extends Event {
  static readonly eventName = 'copied';
  constructor(readonly value: string) {
    super(CopiedEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * A button that copies its `value` to the clipboard and says so for a moment.
 *
 * @fires copied - CopiedEvent, after a successful copy.
 * @csspart button - The button.
 * @slot - Optional text shown after the icon (e.g. "Copy link").
 */
@customElement('share-copy-button')
export class ShareCopyButton extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: inline-flex;
      }
      button[data-done] {
        color: var(--share-success, light-dark(#157347, #6bdc9d));
      }
    `,
  ];

  /** The text to copy. */
  @property() accessor value = '';
  /** Accessible name, e.g. "Copy passphrase". */
  @property() accessor label = 'Copy';
  /** Extra classes for the inner button: "ghost", "icon", "primary". */
  @property() accessor variant = 'ghost icon';

  @state() private accessor done = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  override render() {
    return html`<button
      part="button"
      class=${this.variant}
      type="button"
      ?data-done=${this.done}
      aria-label=${this.done ? 'Copied' : this.label}
      title=${this.label}
      @click=${this.#copy}
    >
      ${this.done ? icons.check : icons.copy}<slot></slot>
    </button>`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  async #copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.value);
    } catch {
      return; // no permission: nothing copied, nothing claimed
    }
    this.done = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.done = false), 1800);
    this.dispatchEvent(new CopiedEvent(this.value));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-copy-button': ShareCopyButton;
  }
  interface HTMLElementEventMap {
    copied: CopiedEvent;
  }
}
