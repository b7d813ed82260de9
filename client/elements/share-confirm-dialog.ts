import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { controls, token } from '../styles/tokens.ts';

/** The person answered: `confirmed` is true for the confirm button, false otherwise. */
export class DialogAnswerEvent extends Event {
  static readonly eventName = 'dialog-answer';
  constructor(readonly confirmed: boolean) {
    super(DialogAnswerEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * A modal yes/no question. Escape and "Cancel" answer no.
 *
 * @fires dialog-answer - DialogAnswerEvent when it closes.
 * @csspart dialog - The dialog box.
 * @slot - The explanation under the heading.
 */
@customElement('share-confirm-dialog')
export class ShareConfirmDialog extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: contents;
      }
      dialog {
        width: min(26rem, calc(100vw - 2rem));
        padding: 1.5rem;
        border: 1px solid ${token('border')};
        border-radius: ${token('radius')};
        background: ${token('surface')};
        color: ${token('text')};
        box-shadow: ${token('shadow')};
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      h2 {
        margin: 0 0 0.5rem;
        font-size: 1.125rem;
      }
      .body {
        color: ${token('text-muted')};
        line-height: 1.5;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        margin-top: 1.25rem;
      }
      button.danger-fill {
        background: ${token('danger')};
        border-color: ${token('danger')};
        color: ${token('accent-text')};
      }
    `,
  ];

  @property() accessor heading = 'Are you sure?';
  @property({ attribute: 'confirm-label' }) accessor confirmLabel = 'OK';
  /** Styles the confirm button as destructive. */
  @property({ type: Boolean }) accessor destructive = false;
  @property({ type: Boolean, reflect: true }) accessor open = false;

  @query('dialog') private accessor dialog!: HTMLDialogElement;
  #answer = false;

  override render() {
    return html`<dialog part="dialog" aria-labelledby="heading" @close=${this.#closed}>
      <h2 id="heading">${this.heading}</h2>
      <div class="body"><slot></slot></div>
      <div class="actions">
        <button type="button" @click=${() => this.#close(false)}>Cancel</button>
        <button type="button" class=${this.destructive ? 'danger-fill' : 'primary'} @click=${() => this.#close(true)}>
          ${this.confirmLabel}
        </button>
      </div>
    </dialog>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.dialog.open) {
      this.#answer = false;
      this.dialog.showModal();
    } else if (!this.open && this.dialog.open) this.dialog.close();
  }

  #close(answer: boolean): void {
    this.#answer = answer;
    this.dialog.close();
  }

  #closed(): void {
    this.open = false;
    this.dispatchEvent(new DialogAnswerEvent(this.#answer));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-confirm-dialog': ShareConfirmDialog;
  }
  interface HTMLElementEventMap {
    'dialog-answer': DialogAnswerEvent;
  }
}
