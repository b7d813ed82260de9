import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { formatBytes, formatDuration, formatSpeed } from '../state/format.ts';
import { controls, token } from '../styles/tokens.ts';
import { icons } from '../styles/icons.ts';

/** The person asked to stop the transfer. */
export class TransferCancelEvent extends Event {
  static readonly eventName = 'transfer-cancel';
  constructor() {
    super(TransferCancelEvent.eventName, { bubbles: true, composed: true });
  }
}

/**
 * A transfer's progress: a bar, bytes done of total, speed, time left and a
 * cancel button.
 *
 * @fires transfer-cancel - TransferCancelEvent, when the cancel button is pressed.
 * @csspart bar - The track of the progress bar.
 * @csspart fill - The filled part of the bar.
 * @csspart cancel - The cancel button.
 */
@customElement('share-transfer-progress')
export class ShareTransferProgress extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        grid-template-columns: 1fr auto;
        align-items: center;
        gap: 0.25rem 0.5rem;
        font-size: 0.8125rem;
        color: ${token('text-muted')};
      }
      .bar {
        grid-column: 1;
        height: 0.4rem;
        border-radius: 1rem;
        background: ${token('surface-2')};
        overflow: hidden;
      }
      /*
       * Scaled, not sized: no layout per update. Not tweened either: progress comes 4 times a second,
       * so a 250 ms transition kept the page compositing 60 frames a second for the whole transfer
       * (compositor and GPU process, a tenth of a core taken from the transfer itself).
       */
      .fill {
        height: 100%;
        background: ${token('accent')};
        transform-origin: left;
      }
      .numbers {
        grid-column: 1;
        display: flex;
        flex-wrap: wrap;
        gap: 0.15rem 0.75rem;
        font-variant-numeric: tabular-nums;
      }
      button {
        grid-column: 2;
        grid-row: 1 / span 2;
        min-height: 2rem;
        padding: 0.25rem 0.6rem;
        font-size: 0.8125rem;
      }
    `,
  ];

  @property({ type: Number }) accessor bytes = 0;
  @property({ type: Number }) accessor total = 0;
  /** Bytes per second; unknown when absent. */
  @property({ type: Number, attribute: 'bytes-per-second' }) accessor bytesPerSecond: number | undefined;
  @property({ type: Number, attribute: 'seconds-left' }) accessor secondsLeft: number | undefined;
  /** "upload" or "download": worded in the accessible label. */
  @property() accessor direction: 'upload' | 'download' = 'upload';
  /** Hides the cancel button. */
  @property({ type: Boolean, attribute: 'no-cancel' }) accessor noCancel = false;

  override render() {
    const fraction = this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    const percent = Math.floor(fraction * 100);
    const verb = this.direction === 'upload' ? 'Sending' : 'Receiving';
    return html`
      <div
        part="bar"
        class="bar"
        role="progressbar"
        aria-label="${verb}: ${percent}%"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${percent}
      >
        <div part="fill" class="fill" style=${styleMap({ transform: `scaleX(${fraction})` })}></div>
      </div>
      <div class="numbers">
        <span>${formatBytes(this.bytes)} of ${formatBytes(this.total)}</span>
        ${this.bytesPerSecond ? html`<span>${formatSpeed(this.bytesPerSecond)}</span>` : ''}
        ${this.secondsLeft !== undefined && this.bytesPerSecond
          ? html`<span>${formatDuration(this.secondsLeft)} left</span>`
          : ''}
      </div>
      ${this.noCancel
        ? ''
        : html`<button part="cancel" type="button" class="ghost" @click=${this.#cancel}>${icons.close}Cancel</button>`}
    `;
  }

  #cancel(): void {
    this.dispatchEvent(new TransferCancelEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-transfer-progress': ShareTransferProgress;
  }
  interface HTMLElementEventMap {
    'transfer-cancel': TransferCancelEvent;
  }
}
