import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConnectionState } from '../state/view-types.ts';
import { token } from '../styles/tokens.ts';

const TEXT: Record<ConnectionState, string> = {
  idle: 'Not connected',
  joining: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  'rejoin-failed': 'Could not rejoin',
};

/**
 * The connection to the server, always visible: a colored dot and a word,
 * announced politely to screen readers when it changes.
 *
 * @csspart pill - The rounded badge.
 */
@customElement('share-connection-status')
export class ShareConnectionStatus extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
    }
    .pill {
      display: inline-flex;
      align-items: center;
      gap: 0.45rem;
      padding: 0.3rem 0.7rem;
      border-radius: 2rem;
      background: ${token('surface-2')};
      font-size: 0.8125rem;
      font-weight: 600;
      white-space: nowrap;
    }
    .dot {
      width: 0.55rem;
      height: 0.55rem;
      border-radius: 50%;
      background: ${token('text-muted')};
    }
    :host([state='connected']) .dot {
      background: ${token('success')};
      box-shadow: 0 0 0 3px color-mix(in srgb, ${token('success')} 25%, transparent);
    }
    :host([state='reconnecting']) .dot,
    :host([state='joining']) .dot {
      background: ${token('warning')};
      animation: pulse 1.2s ease-in-out infinite;
    }
    :host([state='offline']) .dot,
    :host([state='rejoin-failed']) .dot {
      background: ${token('danger')};
    }
    @keyframes pulse {
      50% {
        opacity: 0.3;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .dot {
        animation: none !important;
      }
    }
  `;

  @property({ reflect: true }) accessor state: ConnectionState = 'idle';
  /** The reconnection attempt, shown while reconnecting when known. */
  @property({ type: Number }) accessor attempt: number | undefined;

  override render() {
    const attempt = this.state === 'reconnecting' && this.attempt ? ` (attempt ${this.attempt})` : '';
    // The attempt count stays out of the live region: it would be read out twice a second while retrying.
    return html`<span part="pill" class="pill">
      <span class="dot" aria-hidden="true"></span><span role="status" aria-live="polite">${TEXT[this.state]}</span>${attempt
        ? html`<span aria-hidden="true">${attempt}</span>`
        : nothing}
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-connection-status': ShareConnectionStatus;
  }
}
