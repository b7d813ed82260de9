import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ItemCapabilities, TimelineItem } from '../state/timeline-item.ts';
import { NO_CAPABILITIES } from '../state/timeline-item.ts';
import { icons } from '../styles/icons.ts';
import { controls, token } from '../styles/tokens.ts';
import './share-confirm-dialog.ts';
import type { DialogAnswerEvent } from './share-confirm-dialog.ts';
import './share-content-item.ts';

/** The end of the list came into view (or "Load older items" was pressed). */
export class LoadMoreEvent extends Event {
  static readonly eventName = 'load-more';
  constructor() {
    super(LoadMoreEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The person confirmed removing every item of the session. */
export class ClearAllEvent extends Event {
  static readonly eventName = 'clear-all';
  constructor() {
    super(ClearAllEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * The session's items, newest first (pinned ones on top), with "load more"
 * at the end when there is older history and "clear all" when allowed.
 *
 * @fires load-more - LoadMoreEvent, when older items should be fetched.
 * @fires clear-all - ClearAllEvent, after the person confirmed.
 * @fires item-action - ItemActionEvent, from the items (bubbles through).
 * @csspart header - The heading row.
 * @csspart list - The list of items.
 * @csspart empty - What shows when nothing was shared yet.
 * @slot empty - Replaces the default empty-state text.
 */
@customElement('share-timeline')
export class ShareTimeline extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .header {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 2.5rem;
        margin-bottom: 0.5rem;
      }
      h2 {
        flex: 1;
        margin: 0;
        font-size: 1rem;
      }
      .count {
        color: ${token('text-muted')};
        font-weight: 500;
      }
      ol {
        display: grid;
        gap: 0.75rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .empty {
        display: grid;
        justify-items: center;
        gap: 0.5rem;
        padding: 2.5rem 1rem;
        border: 2px dashed ${token('border')};
        border-radius: ${token('radius')};
        color: ${token('text-muted')};
        text-align: center;
        line-height: 1.5;
      }
      .empty svg {
        width: 2rem;
        height: 2rem;
        color: ${token('accent')};
      }
      .empty strong {
        color: ${token('text')};
      }
      kbd {
        padding: 0.05rem 0.35rem;
        border: 1px solid ${token('border')};
        border-bottom-width: 2px;
        border-radius: 0.3rem;
        font: inherit;
        font-size: 0.85em;
      }
      .more {
        display: flex;
        justify-content: center;
        padding: 1rem 0 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) accessor items: readonly TimelineItem[] = [];
  @property({ attribute: false }) accessor capabilities: ItemCapabilities = NO_CAPABILITIES;
  /** Older items can be loaded. */
  @property({ type: Boolean, attribute: 'has-more' }) accessor hasMore = false;
  /** Older items are being loaded. */
  @property({ type: Boolean }) accessor loading = false;

  @state() private accessor confirming = false;
  /** Read out by screen readers when someone else shares something. */
  @state() private accessor announcement = '';
  #seen: Set<string> | undefined;
  @query('.more') private accessor sentinel: HTMLElement | null = null;
  #observer: IntersectionObserver | undefined;
  #observed: Element | null = null;

  override render() {
    const count = this.items.length;
    return html`
      <div part="header" class="header">
        <h2 id="title">Shared <span class="count">${count ? `(${count})` : ''}</span></h2>
        ${this.capabilities.clear && count > 0
          ? html`<button type="button" class="ghost danger" @click=${() => (this.confirming = true)}>
              ${icons.trash}Clear all
            </button>`
          : nothing}
      </div>
      ${count === 0 && !this.hasMore
        ? html`<div part="empty" class="empty">
            <slot name="empty">
              ${icons.upload}
              <strong>Nothing shared yet</strong>
              <span>Type or paste in the box above, or drop files anywhere on the page.</span>
            </slot>
          </div>`
        : html`<ol part="list" aria-labelledby="title">
            ${repeat(
              this.items,
              (item) => item.key,
              (item) => html`<li><share-content-item .item=${item} .capabilities=${this.capabilities}></share-content-item></li>`,
            )}
          </ol>`}
      ${this.hasMore
        ? html`<div class="more">
            <button type="button" ?disabled=${this.loading} @click=${this.#loadMore}>
              ${this.loading ? 'Loading…' : 'Load older items'}
            </button>
          </div>`
        : nothing}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      <share-confirm-dialog
        heading="Clear all items?"
        confirm-label="Clear all"
        destructive
        .open=${this.confirming}
        @dialog-answer=${this.#answered}
      >
        Every item in this session is deleted for everyone, including its stored history. This cannot be undone.
      </share-confirm-dialog>
    `;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('items')) return;
    const seen = this.#seen;
    this.#seen = new Set(this.items.map((item) => item.key));
    if (!seen) return; // the first list (on joining) is not news
    const fresh = this.items.filter((item) => !seen.has(item.key) && !item.mine);
    if (fresh.length === 1) {
      const item = fresh[0]!;
      this.announcement = `New ${item.kind === 'file' ? `file ${item.name}` : item.kind} from ${item.senderName}`;
    } else if (fresh.length > 1) this.announcement = `${fresh.length} new items`;
  }

  protected override updated(): void {
    // Infinite scroll: ask for more as the end of the list comes into view.
    if (this.sentinel === this.#observed || typeof IntersectionObserver !== 'function') return;
    this.#observer ??= new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && this.#loadMore(),
      { rootMargin: '400px' },
    );
    if (this.#observed) this.#observer.unobserve(this.#observed);
    this.#observed = this.sentinel;
    if (this.sentinel) this.#observer.observe(this.sentinel);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#observed = null;
  }

  #loadMore(): void {
    if (this.hasMore && !this.loading) this.dispatchEvent(new LoadMoreEvent());
  }

  #answered(event: DialogAnswerEvent): void {
    event.stopPropagation();
    this.confirming = false;
    if (event.confirmed) this.dispatchEvent(new ClearAllEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-timeline': ShareTimeline;
  }
  interface HTMLElementEventMap {
    'load-more': LoadMoreEvent;
    'clear-all': ClearAllEvent;
  }
}
