import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { create } from 'qrcode';
import { token } from '../styles/tokens.ts';

/** The QR symbol of `text` as one SVG path (a unit square per dark module), with its size. */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  let d = '';
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) d += `M${col} ${row}h1v1h-1z`;
    }
  }
  return { size: modules.size, d };
}

/**
 * A QR code of `value`, drawn as SVG: sharp at any size, dark on light in
 * every theme (as scanners expect), with the quiet zone the standard asks for.
 *
 * @csspart svg - The SVG image.
 */
@customElement('share-qr-code')
export class ShareQrCode extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      width: 12rem;
      max-width: 100%;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
      border-radius: ${token('radius-small')};
    }
    .light {
      fill: ${token('qr-light')};
    }
    .dark {
      fill: ${token('qr-dark')};
    }
  `;

  /** What the code encodes, usually a link. */
  @property() accessor value = '';
  /** Accessible description of the image. */
  @property() accessor label = 'QR code';

  #cache: { value: string; size: number; d: string } | undefined;

  override render() {
    if (!this.value) return html``;
    if (this.#cache?.value !== this.value) this.#cache = { value: this.value, ...qrPath(this.value) };
    const { size, d } = this.#cache;
    const quiet = 4;
    const box = size + quiet * 2;
    return html`<svg part="svg" role="img" aria-label=${this.label} viewBox="${-quiet} ${-quiet} ${box} ${box}"
      shape-rendering="crispEdges">
      ${svg`<rect class="light" x=${-quiet} y=${-quiet} width=${box} height=${box}></rect><path class="dark" d=${d}></path>`}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-qr-code': ShareQrCode;
  }
}
