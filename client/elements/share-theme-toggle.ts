import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ThemeChoice } from '../state/preferences.ts';
import { icons } from '../styles/icons.ts';
import { controls } from '../styles/tokens.ts';

/** The person chose another theme. */
export class ThemeChangeEvent extends Event {
  static readonly eventName = 'theme-change';
  constructor(readonly theme: ThemeChoice) {
    super(ThemeChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

const NEXT: Record<ThemeChoice, ThemeChoice> = { auto: 'light', light: 'dark', dark: 'auto' };
const LABEL: Record<ThemeChoice, string> = {
  auto: 'Theme: same as the system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

/**
 * One button cycling the theme: system, light, dark.
 *
 * @fires theme-change - ThemeChangeEvent with the new choice.
 * @csspart button - The button.
 */
@customElement('share-theme-toggle')
export class ShareThemeToggle extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: inline-flex;
      }
    `,
  ];

  @property() accessor theme: ThemeChoice = 'auto';

  override render() {
    const icon = this.theme === 'light' ? icons.sun : this.theme === 'dark' ? icons.moon : icons.auto;
    return html`<button
      part="button"
      type="button"
      class="ghost icon"
      aria-label="${LABEL[this.theme]}. Change theme"
      title=${LABEL[this.theme]}
      @click=${this.#next}
    >
      ${icon}
    </button>`;
  }

  #next(): void {
    this.theme = NEXT[this.theme];
    this.dispatchEvent(new ThemeChangeEvent(this.theme));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-theme-toggle': ShareThemeToggle;
  }
  interface HTMLElementEventMap {
    'theme-change': ThemeChangeEvent;
  }
}
