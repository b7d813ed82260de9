import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';
import './share-join-form.ts';

/**
 * The first screen: what the app is, and two tabs, "New session" and "Join".
 * Arrow keys move between the tabs.
 *
 * @fires session-request - SessionRequestEvent, from either form (bubbles through).
 * @csspart card - The card holding the tabs and forms.
 * @csspart intro - The heading and the lines about the app.
 * @slot intro - Replaces the default heading and text.
 */
@customElement('share-start')
export class ShareStart extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        justify-items: center;
        align-items: center;
        gap: 1.75rem;
        max-width: 68rem;
        margin: 0 auto;
        padding: clamp(1.25rem, 5vh, 3.5rem) 1rem 3rem;
      }
      .intro {
        max-width: 34rem;
        text-align: center;
      }
      h1 {
        margin: 0 0 0.75rem;
        font-size: clamp(1.6rem, 5vw, 2.6rem);
        line-height: 1.12;
        letter-spacing: -0.025em;
      }
      .lead {
        margin: 0;
        color: ${token('text-muted')};
        font-size: 1.0625rem;
        line-height: 1.55;
      }
      .features {
        display: none;
        gap: 1rem;
        margin: 2rem 0 0;
        padding: 0;
        list-style: none;
      }
      .features li {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.1rem 0.85rem;
        line-height: 1.45;
      }
      .features .icon {
        grid-row: span 2;
        display: grid;
        place-items: center;
        width: 2.5rem;
        height: 2.5rem;
        border-radius: ${token('radius-small')};
        background: ${token('accent-soft')};
        color: ${token('accent')};
      }
      .features strong {
        font-size: 0.9375rem;
      }
      .features span:last-child {
        color: ${token('text-muted')};
        font-size: 0.875rem;
      }
      .card {
        width: min(28rem, 100%);
        padding: 0.5rem 1.5rem 1.5rem;
        border: 1px solid ${token('border')};
        border-radius: ${token('radius')};
        background: ${token('surface')};
        box-shadow: ${token('shadow')};
      }
      [role='tablist'] {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.25rem;
        margin: 0.5rem -0.75rem 1.25rem;
        padding: 0.25rem;
        border-radius: ${token('radius-small')};
        background: ${token('surface-2')};
      }
      [role='tab'] {
        border: 1px solid transparent;
        background: transparent;
        color: ${token('text-muted')};
      }
      /* Selected looks the same hovered or tapped (touch keeps :hover); its accent edge tells it apart in the dark too. */
      [role='tab'][aria-selected='true'],
      [role='tab'][aria-selected='true']:hover:not(:disabled) {
        border-color: ${token('accent')};
        background: light-dark(${token('surface')}, ${token('accent-soft')});
        color: ${token('text')};
        box-shadow: 0 1px 3px rgb(0 0 0 / 0.12);
      }
      [role='tab']:hover:not([aria-selected='true']) {
        background: transparent;
        color: ${token('text')};
      }
      @media (min-width: 900px) {
        :host {
          grid-template-columns: minmax(0, 1fr) 28rem;
          justify-items: stretch;
          gap: 4rem;
          padding-top: clamp(1.5rem, 8vh, 5rem);
        }
        .intro {
          text-align: left;
        }
        .features {
          display: grid;
        }
      }
    `,
  ];

  @property({ reflect: true }) accessor mode: 'create' | 'join' = 'create';
  @property() accessor name = '';
  /** Pre-fills the join form (from a link or the last session). */
  @property({ attribute: 'session-id' }) accessor sessionId = '';
  @property() accessor passphrase = '';
  @property({ type: Boolean }) accessor remember = false;
  @property({ type: Boolean }) accessor busy = false;
  @property() accessor error = '';
  /** The session this tab was in before a reload: the Join form offers to rejoin it. */
  @property() accessor rejoin = '';

  override render() {
    const tab = (mode: 'create' | 'join', label: string) => html`<button
      role="tab"
      type="button"
      id="tab-${mode}"
      aria-selected=${this.mode === mode}
      aria-controls="panel-${mode}"
      tabindex=${this.mode === mode ? 0 : -1}
      @click=${() => this.#select(mode)}
    >
      ${label}
    </button>`;
    const panel = (mode: 'create' | 'join') => html`<div role="tabpanel" id="panel-${mode}" aria-labelledby="tab-${mode}"
      ?hidden=${this.mode !== mode}>
      <share-join-form mode=${mode} .name=${this.name} .remember=${this.remember} .busy=${this.busy}
        .error=${this.mode === mode ? this.error : ''} .rejoin=${mode === 'join' ? this.rejoin : ''}
        .sessionId=${mode === 'join' ? this.sessionId : ''} .passphrase=${mode === 'join' ? this.passphrase : ''}></share-join-form>
    </div>`;
    return html`
      <div class="intro" part="intro">
        <slot name="intro">
          <h1>Share between your devices</h1>
          <p class="lead">
            Text, images and files appear on every device in the session the moment you paste, drop or type them.
          </p>
          <ul class="features">
            ${feature(icons.lock, 'End-to-end encrypted', 'Encrypted on your device. The server only relays and stores ciphertext.')}
            ${feature(icons.qr, 'Scan to join', 'Open the session on your phone from a QR code.')}
            ${feature(icons.upload, 'Paste, drop, done', 'Screenshots from the clipboard, many files at once, live progress on every transfer.')}
          </ul>
        </slot>
      </div>
      <div class="card" part="card">
        <div role="tablist" aria-label="Start" @keydown=${this.#arrows}>${tab('create', 'New session')}${tab('join', 'Join')}</div>
        ${panel('create')}${panel('join')}
      </div>
    `;
  }

  #select(mode: 'create' | 'join'): void {
    this.mode = mode;
    this.error = '';
  }

  #arrows(event: KeyboardEvent): void {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    this.#select(this.mode === 'create' ? 'join' : 'create');
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${this.mode}`)?.focus());
  }
}

function feature(icon: unknown, title: string, text: string) {
  return html`<li><span class="icon" aria-hidden="true">${icon}</span><strong>${title}</strong><span>${text}</span></li>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'share-start': ShareStart;
  }
}
