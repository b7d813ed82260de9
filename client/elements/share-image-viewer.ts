import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';

/** The viewer was closed (Escape, the close button or a click beside the image). */
export class ViewerCloseEvent extends Event {
  static readonly eventName = 'viewer-close';
  constructor() {
    super(ViewerCloseEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * An image at full size in a modal dialog. Focus moves into it while open and
 * back where it was when it closes.
 *
 * @fires viewer-close - ViewerCloseEvent, when it closes.
 * @csspart dialog - The dialog.
 * @csspart image - The image.
 */
@customElement('share-image-viewer')
export class ShareImageViewer extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: contents;
      }
      dialog {
        max-width: 100vw;
        max-height: 100dvh;
        width: 100vw;
        height: 100dvh;
        margin: 0;
        padding: 0;
        border: 0;
        background: transparent;
        color: #fff;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.85);
        backdrop-filter: blur(4px);
      }
      .frame {
        display: grid;
        place-items: center;
        width: 100%;
        height: 100%;
        padding: 3.5rem 1rem 1rem;
      }
      img {
        max-width: 100%;
        max-height: 100%;
        object-fit: contain;
        border-radius: ${token('radius-small')};
        animation: zoom 160ms ease-out;
      }
      .bar {
        position: absolute;
        inset: 0.75rem 0.75rem auto 0.75rem;
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
      .bar span {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      button {
        background: rgb(255 255 255 / 0.12);
        border-color: transparent;
        color: #fff;
      }
      button:hover:not(:disabled) {
        background: rgb(255 255 255 / 0.22);
      }
      @keyframes zoom {
        from {
          opacity: 0;
          transform: scale(0.96);
        }
      }
    `,
  ];

  @property() accessor src = '';
  @property() accessor alt = '';
  @property({ type: Boolean, reflect: true }) accessor open = false;

  @query('dialog') private accessor dialog!: HTMLDialogElement;

  override render() {
    return html`<dialog part="dialog" aria-label=${this.alt || 'Image'} @close=${this.#closed} @click=${this.#backdrop}>
      <div class="bar">
        <span>${this.alt}</span>
        <button type="button" class="icon" aria-label="Close" @click=${() => this.dialog.close()}>${icons.close}</button>
      </div>
      <div class="frame">${this.open ? html`<img part="image" src=${this.src} alt=${this.alt} />` : ''}</div>
    </dialog>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.dialog.open) this.dialog.showModal();
    else if (!this.open && this.dialog.open) this.dialog.close();
  }

  #backdrop(event: MouseEvent): void {
    if (!(event.target as Element).closest('img, button')) this.dialog.close();
  }

  #closed(): void {
    this.open = false;
    this.dispatchEvent(new ViewerCloseEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-image-viewer': ShareImageViewer;
  }
  interface HTMLElementEventMap {
    'viewer-close': ViewerCloseEvent;
  }
}
