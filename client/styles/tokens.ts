/**
 * The theme: every color, radius, shadow and font the elements use is a CSS
 * custom property with a default, so a page can restyle any element by
 * setting `--share-*` on it or on an ancestor (see client/ELEMENTS.md).
 * Defaults use light-dark(), which follows the inherited `color-scheme`:
 * <share-app> sets it from prefers-color-scheme or its `theme` attribute.
 * Leaves read tokens through var() with the default as fallback and never
 * set them, so values set from outside always win.
 */
import { css, unsafeCSS } from 'lit';
import type { CSSResult } from 'lit';

/** Name (without the --share- prefix) -> default value; documented in ELEMENTS.md. */
export const TOKEN_DEFAULTS = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  'font-mono': "ui-monospace, 'SF Mono', 'Cascadia Mono', Menlo, Consolas, monospace",
  bg: 'light-dark(#f3f4f8, #0e1014)',
  surface: 'light-dark(#ffffff, #171a20)',
  'surface-2': 'light-dark(#eef0f5, #20242c)',
  text: 'light-dark(#151922, #e7e9ef)',
  'text-muted': 'light-dark(#566072, #9ba4b4)',
  border: 'light-dark(#dde1e9, #2c313b)',
  accent: 'light-dark(#4b44d6, #8e95ff)',
  'accent-text': 'light-dark(#ffffff, #0e1014)',
  'accent-soft': 'light-dark(#ecebff, #262a4d)',
  danger: 'light-dark(#b42318, #ff8f85)',
  success: 'light-dark(#157347, #6bdc9d)',
  warning: 'light-dark(#9a5b00, #ffc56b)',
  radius: '16px',
  'radius-small': '10px',
  shadow: 'light-dark(0 1px 2px rgb(16 24 40 / 0.05), 0 1px 2px rgb(0 0 0 / 0.4)), light-dark(0 8px 24px -8px rgb(16 24 40 / 0.12), 0 8px 24px -8px rgb(0 0 0 / 0.5))',
  'qr-dark': '#111111',
  'qr-light': '#ffffff',
} as const;

export type TokenName = keyof typeof TOKEN_DEFAULTS;

/** `var(--share-NAME, default)` for use inside css``. */
export function token(name: TokenName): CSSResult {
  return unsafeCSS(`var(--share-${name}, ${TOKEN_DEFAULTS[name]})`);
}

/** Shared bits: buttons, inputs, focus rings, the visually-hidden helper. */
export const controls = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  button,
  input,
  textarea,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 2.5rem;
    padding: 0.5rem 0.95rem;
    border: 1px solid ${token('border')};
    border-radius: ${token('radius-small')};
    background: ${token('surface')};
    font-weight: 550;
    line-height: 1.2;
    cursor: pointer;
    transition: background-color 120ms, border-color 120ms, transform 120ms, box-shadow 120ms;
  }
  button:hover:not(:disabled) {
    background: ${token('surface-2')};
  }
  button:active:not(:disabled) {
    transform: translateY(1px);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button.primary {
    background: ${token('accent')};
    border-color: ${token('accent')};
    color: ${token('accent-text')};
  }
  button.primary:hover:not(:disabled) {
    background: ${token('accent')};
    filter: brightness(1.08);
  }
  button.ghost {
    border-color: transparent;
    background: transparent;
  }
  button.ghost:hover:not(:disabled) {
    background: ${token('surface-2')};
  }
  button.icon {
    min-width: 2.5rem;
    padding: 0.5rem;
  }
  button.danger {
    color: ${token('danger')};
  }
  svg.i {
    width: 1.15em;
    height: 1.15em;
    flex: none;
  }
  input[type='text'],
  input[type='password'],
  input:not([type]),
  textarea {
    width: 100%;
    min-height: 2.75rem;
    padding: 0.6rem 0.8rem;
    border: 1px solid ${token('border')};
    border-radius: ${token('radius-small')};
    background: ${token('surface')};
    transition: border-color 120ms, box-shadow 120ms;
  }
  input::placeholder,
  textarea::placeholder {
    color: ${token('text-muted')};
    opacity: 1;
  }
  :where(button, input, textarea, select, a, summary, [tabindex]):focus-visible {
    outline: 2px solid ${token('accent')};
    outline-offset: 2px;
  }
  input:focus-visible,
  textarea:focus-visible {
    outline: none;
    border-color: ${token('accent')};
    box-shadow: 0 0 0 3px color-mix(in srgb, ${token('accent')} 25%, transparent);
  }
  a {
    color: ${token('accent')};
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      transition: none !important;
      animation: none !important;
    }
  }
`;
