import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { token } from '../styles/tokens.ts';

/**
 * The session key's fingerprint, for people to compare: everyone who sees
 * the same code has the same key, so nobody in between can read along.
 *
 * @csspart code - The fingerprint itself.
 */
@customElement('share-fingerprint')
export class ShareFingerprint extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .head {
      display: flex;
      align-items: center;
      gap: 0.4rem;
      margin-bottom: 0.4rem;
      color: ${token('success')};
      font-weight: 650;
      font-size: 0.875rem;
    }
    .head svg {
      width: 1.15rem;
      height: 1.15rem;
      flex: none;
    }
    code {
      display: block;
      padding: 0.45rem 0.75rem;
      border-radius: ${token('radius-small')};
      background: ${token('surface-2')};
      font-family: ${token('font-mono')};
      font-size: 1rem;
      letter-spacing: 0.06em;
      word-spacing: 0.2em;
      text-align: center;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    p {
      margin: 0.45rem 0 0;
      color: ${token('text-muted')};
      font-size: 0.8125rem;
      line-height: 1.45;
    }
  `;

  /** "XXXX-XXXX-XXXX-XXXX". */
  @property() accessor value = '';

  override render() {
    const groups = this.value.split('-');
    return html`<div class="head">${icons.shield}<span>End-to-end encrypted</span></div>
      <code part="code" aria-hidden="true">${groups.join(' ')}</code>
      <span class="visually-hidden">Key fingerprint: ${groups.join(', ')}</span>
      <p>Everyone in the session should see this same code. A different code means a different key.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-fingerprint': ShareFingerprint;
  }
}
