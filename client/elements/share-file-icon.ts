import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { icons } from '../styles/icons.ts';
import type { IconName } from '../styles/icons.ts';
import { token } from '../styles/tokens.ts';

const BY_EXTENSION: Record<string, IconName> = {
  zip: 'archive', gz: 'archive', tgz: 'archive', '7z': 'archive', rar: 'archive', tar: 'archive', xz: 'archive',
  pdf: 'fileText', doc: 'fileText', docx: 'fileText', odt: 'fileText', txt: 'fileText', md: 'fileText', rtf: 'fileText',
  js: 'code', ts: 'code', json: 'code', html: 'code', css: 'code', py: 'code', go: 'code', rs: 'code', sh: 'code',
};

/** The icon for a MIME type, falling back to the file name's extension. */
export function iconFor(mimeType: string, name = ''): IconName {
  const type = mimeType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'music';
  if (type.startsWith('video/')) return 'video';
  if (type === 'application/pdf' || type.startsWith('text/plain')) return 'fileText';
  return BY_EXTENSION[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'file';
}

/**
 * A tile with an icon for a file's type, labelled with its extension.
 *
 * @csspart tile - The colored square.
 */
@customElement('share-file-icon')
export class ShareFileIcon extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      flex: none;
    }
    .tile {
      position: relative;
      display: grid;
      place-items: center;
      width: 3rem;
      height: 3rem;
      border-radius: ${token('radius-small')};
      background: ${token('accent-soft')};
      color: ${token('accent')};
    }
    svg {
      width: 1.5rem;
      height: 1.5rem;
    }
    .ext {
      position: absolute;
      bottom: -0.35rem;
      right: -0.35rem;
      padding: 0 0.3rem;
      border-radius: 0.4rem;
      background: ${token('accent')};
      color: ${token('accent-text')};
      font-size: 0.625rem;
      font-weight: 700;
      line-height: 1.1rem;
      text-transform: uppercase;
      max-width: 3.2rem;
      overflow: hidden;
    }
  `;

  @property({ attribute: 'mime-type' }) accessor mimeType = '';
  /** The file name; its extension is shown and helps choose the icon. */
  @property() accessor name = '';

  override render() {
    const ext = this.name.includes('.') ? this.name.split('.').pop()!.slice(0, 4) : '';
    return html`<div part="tile" class="tile">
      ${icons[iconFor(this.mimeType, this.name)]}${ext ? html`<span class="ext" aria-hidden="true">${ext}</span>` : ''}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-file-icon': ShareFileIcon;
  }
}
