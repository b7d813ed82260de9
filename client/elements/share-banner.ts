import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { token } from '../styles/tokens.ts';

/**
 * A line of news above the start card, such as "The server cannot be
 * reached" or items shared from another app waiting for a session. Empty, it
 * takes no room; it stays in the page so that screen readers announce a new
 * message (politely).
 *
 * @csspart banner - The message box.
 */
@customElement('share-banner')
export class ShareBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 68rem;
      margin: 0 auto;
      padding: 0 1rem;
    }
    .banner {
      margin: 0.75rem 0 0;
      padding: 0.7rem 1rem;
      border: 1px solid ${token('border')};
      border-radius: ${token('radius-small')};
      background: ${token('accent-soft')};
      color: ${token('text')};
      line-height: 1.45;
    }
    :host([tone='warning']) .banner {
      border-color: color-mix(in srgb, ${token('warning')} 45%, transparent);
      background: color-mix(in srgb, ${token('warning')} 12%, ${token('surface')});
    }
    .banner:empty {
      margin: 0;
      padding: 0;
      border: 0;
    }
  `;

  @property() accessor message = '';
  /** "warning" for trouble (the server cannot be reached), "info" otherwise. */
  @property({ reflect: true }) accessor tone: 'info' | 'warning' = 'info';

  override render() {
    return html`<p part="banner" class="banner" role="status">${this.message}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-banner': ShareBanner;
  }
}
