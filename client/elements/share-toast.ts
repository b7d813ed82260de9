import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';

/** The toast went away (timed out or dismissed). */
export class ToastDismissEvent extends Event {
  static readonly eventName = 'toast-dismiss';
  constructor() {
    super(ToastDismissEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * A short message at the bottom of the screen that goes away by itself.
 * Errors are announced assertively, other messages politely. Setting a new
 * `serial` shows the message again even if its text did not change.
 *
 * @fires toast-dismiss - ToastDismissEvent, when it hides.
 * @csspart toast - The message box.
 */
@customElement('share-toast')
export class ShareToast extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        position: fixed;
        inset: auto 0 max(1rem, env(safe-area-inset-bottom)) 0;
        z-index: 30;
        display: flex;
        justify-content: center;
        padding: 0 1rem;
        pointer-events: none;
      }
      .toast {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        max-width: 32rem;
        padding: 0.4rem 0.4rem 0.4rem 1rem;
        border-radius: ${token('radius-small')};
        background: ${token('text')};
        color: ${token('bg')};
        box-shadow: ${token('shadow')};
        font-size: 0.9375rem;
        pointer-events: auto;
        animation: rise 180ms ease-out;
      }
      :host([tone='error']) .toast {
        background: ${token('danger')};
        color: ${token('accent-text')};
      }
      button {
        min-height: 2rem;
        color: inherit;
      }
      button:hover:not(:disabled) {
        background: rgb(127 127 127 / 0.25);
      }
      @keyframes rise {
        from {
          opacity: 0;
          transform: translateY(0.5rem);
        }
      }
    `,
  ];

  @property() accessor message = '';
  @property({ reflect: true }) accessor tone: 'info' | 'error' = 'info';
  /** Changing it restarts the timer. */
  @property({ type: Number }) accessor serial = 0;
  /** Milliseconds before hiding; errors stay twice as long. */
  @property({ type: Number }) accessor duration = 4000;

  #timer: ReturnType<typeof setTimeout> | undefined;

  override render() {
    const toast = this.message
      ? html`<div part="toast" class="toast">
          <span>${this.message}</span>
          <button type="button" class="ghost icon" aria-label="Dismiss" @click=${this.#dismiss}>${icons.close}</button>
        </div>`
      : nothing;
    const error = this.tone === 'error';
    // Both live regions stay in the page: screen readers announce changes to a region, not a new one.
    return html`<div role="status" aria-live="polite">${error ? nothing : toast}</div>
      <div role="alert">${error ? toast : nothing}</div>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('serial') && !changed.has('message')) return;
    clearTimeout(this.#timer);
    if (this.message) this.#timer = setTimeout(() => this.#dismiss(), this.duration * (this.tone === 'error' ? 2 : 1));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  #dismiss(): void {
    clearTimeout(this.#timer);
    this.message = '';
    this.dispatchEvent(new ToastDismissEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-toast': ShareToast;
  }
  interface HTMLElementEventMap {
    'toast-dismiss': ToastDismissEvent;
  }
}
