/** The styles of <share-join-form>. */
import { css } from 'lit';
import { token } from '../styles/tokens.ts';

export const formStyles = css`
  :host {
    display: block;
  }
  form {
    display: grid;
    gap: 1.1rem;
  }
  .field {
    display: grid;
    gap: 0.35rem;
  }
  label,
  .label {
    font-weight: 600;
    font-size: 0.9375rem;
  }
  .help {
    color: ${token('text-muted')};
    font-size: 0.8125rem;
    line-height: 1.45;
  }
  .secret {
    display: flex;
    align-items: center;
    gap: 0.15rem;
    min-height: 2.75rem;
    padding: 0.25rem 0.25rem 0.25rem 0.8rem;
    border: 1px dashed ${token('border')};
    border-radius: ${token('radius-small')};
    background: ${token('surface-2')};
  }
  code {
    flex: 1;
    min-width: 0;
    font-family: ${token('font-mono')};
    font-size: 1rem;
    overflow-wrap: anywhere;
  }
  .with-button {
    position: relative;
  }
  .with-button input {
    padding-right: 3rem;
  }
  .with-button button {
    position: absolute;
    top: 0.15rem;
    right: 0.15rem;
  }
  label.check {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.2rem 0.55rem;
    align-items: start;
    font-weight: 500;
    cursor: pointer;
  }
  label.check input {
    width: 1.1rem;
    height: 1.1rem;
    margin: 0.15rem 0 0;
    accent-color: ${token('accent')};
  }
  label.check .help {
    grid-column: 2;
    font-weight: 400;
  }
  .rejoin {
    margin: 0;
    padding: 0.7rem 0.85rem;
    border-radius: ${token('radius-small')};
    background: ${token('accent-soft')};
    line-height: 1.45;
  }
  .rejoin strong {
    font-family: ${token('font-mono')};
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .error {
    margin: 0;
    padding: 0.7rem 0.85rem;
    border-radius: ${token('radius-small')};
    background: color-mix(in srgb, ${token('danger')} 12%, transparent);
    color: ${token('danger')};
    font-weight: 550;
    line-height: 1.45;
  }
  .submit {
    min-height: 3rem;
    font-size: 1rem;
  }
  .spinner {
    width: 1rem;
    height: 1rem;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 700ms linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
`;
