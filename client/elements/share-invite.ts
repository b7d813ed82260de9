import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sessionLink } from '../state/share-link.ts';
import { fingerprintGroups, isLoopback, linkChoices, type DeviceLinks } from '../state/device-links.ts';
import { controls, token } from '../styles/tokens.ts';
import './share-copy-button.ts';
import './share-qr-code.ts';

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
      label.address {
        display: grid;
        gap: 0.25rem;
      }
      label.address select {
        min-width: 0;
        font: inherit;
        font-size: 0.875rem;
      }
      .certificate {
        display: grid;
        gap: 0.35rem;
      }
      .certificate .note {
        grid-column: auto;
        margin: 0;
      }
      .fingerprint {
        display: grid;
        grid-template-columns: repeat(2, max-content);
        justify-content: start;
        gap: 0.15rem 1.25rem;
        padding: 0.45rem 0.75rem;
        border-radius: ${token('radius-small')};
        background: ${token('surface-2')};
      }
      .fingerprint code {
        flex: none;
        min-width: max-content;
        font-size: 0.8125rem;
        white-space: nowrap;
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
  /** The server's network addresses and certificate (GET /device-links), when it serves HTTPS itself. */
  @property({ attribute: false }) accessor links: DeviceLinks | undefined;

  /** The address the person picked among several. */
  @state() private accessor chosen = 0;

  @state() private accessor withPassphrase = false;
  /** Shown in clear only on request: a shared screen must not show it. */
  @state() private accessor revealed = false;

  override render() {
    if (!this.sessionId || !this.appUrl) return nothing;
    const choices = linkChoices(this.appUrl, this.links);
    const base = choices[Math.min(this.chosen, choices.length - 1)]!.url;
    const link = sessionLink(base, {
      sessionId: this.sessionId,
      ...(this.withPassphrase && this.passphrase ? { passphrase: this.passphrase } : {}),
    });
    return html`
      ${choices.length > 1
        ? html`<label class="address">
            <span class="label">Address for the other device</span>
            <select @change=${(event: Event) => (this.chosen = (event.target as HTMLSelectElement).selectedIndex)}>
              ${choices.map((choice, index) => html`<option ?selected=${index === this.chosen}>${choice.label}</option>`)}
            </select>
          </label>`
        : nothing}
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
      ${this.#addressNote(base)}
      <div class="cred" part="credentials">
        <span class="label" id="sid">Session</span>
        <div class="row" role="group" aria-labelledby="sid">
          <code>${this.sessionId}</code>
          <share-copy-button value=${this.sessionId} label="Copy session id"></share-copy-button>
        </div>
        ${this.passphrase
          ? html`<span class="label" id="pass">Passphrase</span>
              <div class="row" role="group" aria-labelledby="pass">
                <code aria-hidden=${this.revealed ? nothing : 'true'}>${this.revealed ? this.passphrase : '•'.repeat(12)}</code>
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

  /** What the other device will meet at this address: nothing, a dead end, or a certificate warning to get past once. */
  #addressNote(base: string) {
    if (isLoopback(base)) {
      return html`<p class="warn">
        This link uses <strong>${new URL(base).hostname}</strong>, which only works on this computer. Connect this
        computer to your network, or open the app by its network address over HTTPS, for other devices to reach it.
      </p>`;
    }
    const links = this.links;
    const ownCertificate = links?.selfSigned && links.fingerprint && links.urls.some((link) => new URL(link.url).origin === new URL(base).origin);
    if (!ownCertificate) return nothing;
    return html`<div class="certificate" part="certificate">
      <p class="note">
        This server's certificate is self-signed, so the other browser will first say the connection is not private.
        Once per device, check that the certificate's SHA-256 fingerprint (in the warning's certificate details) is
        the one below, then choose <strong>Advanced</strong> and <strong>Proceed</strong>.
      </p>
      <span class="label" id="cert">Certificate fingerprint (SHA-256)</span>
      <div class="fingerprint" role="group" aria-labelledby="cert">
        ${fingerprintGroups(links!.fingerprint!).map((group) => html`<code>${group}</code>`)}
      </div>
    </div>`;
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
