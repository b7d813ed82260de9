import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import { token } from '../styles/tokens.ts';

/**
 * The full-window hint shown while files are dragged over the page. It only
 * shows; the element that owns the drop handles it.
 *
 * @csspart panel - The dashed drop target.
 */
@customElement('share-drop-overlay')
export class ShareDropOverlay extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      inset: 0;
      z-index: 40;
      display: grid;
      place-items: center;
      padding: 1.25rem;
      background: color-mix(in srgb, ${token('bg')} 80%, transparent);
      backdrop-filter: blur(3px);
      opacity: 0;
      visibility: hidden;
      pointer-events: none;
      transition: opacity 140ms, visibility 140ms;
    }
    :host([active]) {
      opacity: 1;
      visibility: visible;
    }
    .panel {
      display: grid;
      justify-items: center;
      gap: 0.75rem;
      width: min(34rem, 100%);
      padding: 3rem 1.5rem;
      border: 3px dashed ${token('accent')};
      border-radius: ${token('radius')};
      background: ${token('surface')};
      color: ${token('text')};
      text-align: center;
      font-size: 1.25rem;
      font-weight: 650;
      transform: scale(0.97);
      transition: transform 140ms;
    }
    :host([active]) .panel {
      transform: none;
    }
    svg {
      width: 2.75rem;
      height: 2.75rem;
      color: ${token('accent')};
    }
    small {
      color: ${token('text-muted')};
      font-size: 0.9375rem;
      font-weight: 400;
    }
  `;

  @property({ type: Boolean, reflect: true }) accessor active = false;

  override render() {
    return html`<div part="panel" class="panel" aria-hidden=${this.active ? 'false' : 'true'}>
      ${icons.upload}<span>Drop to share</span><small>Encrypted on this device before it leaves</small>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-drop-overlay': ShareDropOverlay;
  }
}
