import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sessionLink } from '../state/share-link.ts';
import { controls, token } from '../styles/tokens.ts';
import './share-copy-button.ts';
import './share-qr-code.ts';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * How another device joins: a QR code and a link to the session, and the
 * session id and passphrase to type in. The passphrase goes into the link only
 * when the person ticks the box, which says what that means.
 *
 * @csspart qr - The QR code.
 * @csspart link - The link row.
 * @csspart credentials - The session id and passphrase rows.
 */
@customElement('share-invite')
export class ShareInvite extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        gap: 0.9rem;
      }
      .qr {
        display: grid;
        justify-items: center;
        gap: 0.4rem;
      }
      share-qr-code {
        width: min(12rem, 70%);
        padding: 0.5rem;
        border-radius: ${token('radius-small')};
        background: ${token('qr-light')};
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.25rem;
        min-width: 0;
        padding: 0.2rem 0.2rem 0.2rem 0.75rem;
        border-radius: ${token('radius-small')};
        background: ${token('surface-2')};
      }
      .row span,
      .row a {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-size: 0.875rem;
      }
      .cred {
        display: grid;
        gap: 0.2rem;
      }
      .label {
        color: ${token('text-muted')};
        font-size: 0.75rem;
        font-weight: 600;
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      code {
        flex: 1;
        min-width: 0;
        font-family: ${token('font-mono')};
        font-size: 0.9375rem;
        overflow-wrap: anywhere;
      }
      label.check {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.2rem 0.55rem;
        align-items: start;
        font-size: 0.875rem;
        cursor: pointer;
      }
      label.check input {
        width: 1.1rem;
        height: 1.1rem;
        margin: 0.1rem 0 0;
        accent-color: ${token('accent')};
      }
      .note {
        grid-column: 2;
        color: ${token('text-muted')};
        font-size: 0.8125rem;
        line-height: 1.45;
      }
      .warn {
        margin: 0;
        padding: 0.6rem 0.75rem;
        border-radius: ${token('radius-small')};
        background: color-mix(in srgb, ${token('warning')} 14%, transparent);
        color: ${token('text')};
        font-size: 0.8125rem;
        line-height: 1.45;
      }
    `,
  ];

  @property({ attribute: 'session-id' }) accessor sessionId = '';
  @property() accessor passphrase = '';
  /** The app's address the link opens (without a fragment). */
  @property({ attribute: 'app-url' }) accessor appUrl = '';

  @state() private accessor withPassphrase = false;
  /** Shown in clear only on request: a shared screen must not show it. */
  @state() private accessor revealed = false;

  override render() {
    if (!this.sessionId || !this.appUrl) return nothing;
    const link = sessionLink(this.appUrl, {
      sessionId: this.sessionId,
      ...(this.withPassphrase && this.passphrase ? { passphrase: this.passphrase } : {}),
    });
    const host = new URL(this.appUrl).hostname;
    return html`
      <div class="qr" part="qr">
        <share-qr-code value=${link} label="QR code of the link to this session"></share-qr-code>
      </div>
      <div class="row" part="link">
        <a href=${link} target="_blank" rel="noopener noreferrer" title=${link}>${link}</a>
        <share-copy-button value=${link} label="Copy link"></share-copy-button>
      </div>
      <label class="check">
        <input type="checkbox" .checked=${this.withPassphrase} @change=${this.#toggle} />
        <span>Put the passphrase in the link</span>
        <span class="note">
          Then anyone who scans or sees it can join without typing. It travels after the “#”, which browsers never send
          to any server, but it stays in the history of the browser that opens it.
        </span>
      </label>
      ${LOOPBACK.test(host)
        ? html`<p class="warn">
            This link uses <strong>${host}</strong>, which only works on this computer. Open the app by its network
            address (and over HTTPS) for other devices to reach it.
          </p>`
        : nothing}
      <div class="cred" part="credentials">
        <span class="label" id="sid">Session</span>
        <div class="row">
          <code aria-labelledby="sid">${this.sessionId}</code>
          <share-copy-button value=${this.sessionId} label="Copy session id"></share-copy-button>
        </div>
        ${this.passphrase
          ? html`<span class="label" id="pass">Passphrase</span>
              <div class="row">
                <code aria-labelledby="pass">${this.revealed ? this.passphrase : '•'.repeat(12)}</code>
                <button type="button" class="ghost" aria-label=${this.revealed ? 'Hide passphrase' : 'Show passphrase'}
                  @click=${() => (this.revealed = !this.revealed)}>
                  ${this.revealed ? 'Hide' : 'Show'}
                </button>
                <share-copy-button value=${this.passphrase} label="Copy passphrase"></share-copy-button>
              </div>`
          : nothing}
      </div>
    `;
  }

  #toggle(event: Event): void {
    this.withPassphrase = (event.target as HTMLInputElement).checked;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-invite': ShareInvite;
  }
}
