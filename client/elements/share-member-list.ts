import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { Member } from '../state/view-types.ts';
import { token } from '../styles/tokens.ts';

function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}

/**
 * Who is in the session right now, this device marked "you".
 *
 * @csspart list - The list of members.
 * @csspart member - One member.
 * @csspart avatar - A member's initial.
 */
@customElement('share-member-list')
export class ShareMemberList extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    ul {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      display: inline-flex;
      align-items: center;
      gap: 0.45rem;
      max-width: 100%;
      padding: 0.25rem 0.7rem 0.25rem 0.25rem;
      border-radius: 2rem;
      background: ${token('surface-2')};
      font-size: 0.875rem;
      animation: appear 200ms ease-out;
    }
    .avatar {
      display: grid;
      place-items: center;
      flex: none;
      width: 1.75rem;
      height: 1.75rem;
      border-radius: 50%;
      background: light-dark(hsl(var(--h) 70% 88%), hsl(var(--h) 45% 30%));
      color: light-dark(hsl(var(--h) 60% 25%), hsl(var(--h) 80% 88%));
      font-weight: 700;
      font-size: 0.8125rem;
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .you {
      color: ${token('text-muted')};
    }
    @keyframes appear {
      from {
        opacity: 0;
        transform: scale(0.9);
      }
    }
  `;

  @property({ attribute: false }) accessor members: readonly Member[] = [];
  /** The id of this device's connection. */
  @property({ attribute: 'self-id' }) accessor selfId = '';

  override render() {
    return html`<ul part="list" aria-label="People in this session">
      ${repeat(
        this.members,
        (member) => member.id,
        (member) => html`<li part="member">
          <span part="avatar" class="avatar" aria-hidden="true" style=${styleMap({ '--h': String(hue(member.name)) })}
            >${[...member.name][0]?.toUpperCase()}</span
          >
          <span class="name">${member.name}</span>
          ${member.id === this.selfId ? html`<span class="you">(you)</span>` : ''}
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-member-list': ShareMemberList;
  }
}
