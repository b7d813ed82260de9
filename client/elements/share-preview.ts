import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';
import './share-image-viewer.ts';

/** What kind of preview the browser can show for a MIME type, if any. */
export function previewKind(mimeType: string): 'image' | 'video' | 'audio' | 'pdf' | undefined {
  const type = mimeType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  if (type === 'application/pdf') return 'pdf';
  return undefined;
}

/**
 * A preview of an image, video, sound or PDF from a URL (usually a blob: URL).
 * Images open full size in a viewer when activated.
 *
 * @csspart media - The img, video, audio or iframe element.
 */
@customElement('share-preview')
export class SharePreview extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .thumb {
        display: block;
        width: fit-content;
        max-width: 100%;
        min-height: 0;
        padding: 0;
        border: 0;
        border-radius: ${token('radius-small')};
        background: ${token('surface-2')};
        overflow: hidden;
        cursor: zoom-in;
      }
      .thumb:hover:not(:disabled) {
        background: ${token('surface-2')};
      }
      img {
        display: block;
        width: auto;
        height: auto;
        max-width: 100%;
        max-height: 18rem;
      }
      video,
      iframe {
        display: block;
        width: 100%;
        max-height: 22rem;
        border: 0;
        border-radius: ${token('radius-small')};
        background: #000;
      }
      iframe {
        height: 22rem;
        background: ${token('surface-2')};
      }
      audio {
        display: block;
        width: 100%;
      }
      .expand {
        position: absolute;
        right: 0.5rem;
        bottom: 0.5rem;
        display: grid;
        place-items: center;
        width: 2rem;
        height: 2rem;
        border-radius: 50%;
        background: rgb(0 0 0 / 0.55);
        color: #fff;
        opacity: 0;
        transition: opacity 120ms;
      }
      .wrap {
        position: relative;
        width: fit-content;
        max-width: 100%;
      }
      .wrap:hover .expand,
      .thumb:focus-visible + .expand {
        opacity: 1;
      }
    `,
  ];

  @property() accessor src = '';
  @property({ attribute: 'mime-type' }) accessor mimeType = '';
  /** Names the media for screen readers. */
  @property() accessor name = '';
  /** Pixel size, when known, so the layout does not jump while the image loads. */
  @property({ type: Number }) accessor width: number | undefined;
  @property({ type: Number }) accessor height: number | undefined;

  @state() private accessor viewing = false;

  override render() {
    const label = this.name || 'Shared item';
    switch (previewKind(this.mimeType)) {
      case 'image': {
        const ratio = this.width && this.height ? { aspectRatio: `${this.width} / ${this.height}` } : {};
        return html`<div class="wrap">
            <button type="button" class="thumb" aria-label="Open ${label} full size" @click=${() => (this.viewing = true)}>
              <img part="media" src=${this.src} alt=${label} decoding="async" style=${styleMap(ratio)} />
            </button>
            <span class="expand" aria-hidden="true">${icons.expand}</span>
          </div>
          <share-image-viewer .open=${this.viewing} src=${this.src} alt=${label} @viewer-close=${() => (this.viewing = false)}>
          </share-image-viewer>`;
      }
      case 'video':
        return html`<video part="media" src=${this.src} controls preload="metadata" aria-label=${label}></video>`;
      case 'audio':
        return html`<audio part="media" src=${this.src} controls preload="metadata" aria-label=${label}></audio>`;
      case 'pdf':
        return html`<iframe part="media" src=${this.src} title=${label}></iframe>`;
      default:
        return html``;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-preview': SharePreview;
  }
}
