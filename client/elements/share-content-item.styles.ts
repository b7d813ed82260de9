/** The styles of <share-content-item>, kept apart so the element reads as behaviour. */
import { css } from 'lit';
import { token } from '../styles/tokens.ts';

export const itemStyles = css`
  :host {
    display: block;
    animation: enter 220ms ease-out;
  }
  .card {
    display: grid;
    gap: 0.7rem;
    padding: 0.9rem 1rem 0.6rem;
    border: 1px solid ${token('border')};
    border-radius: ${token('radius')};
    background: ${token('surface')};
    box-shadow: ${token('shadow')};
  }
  .card[data-mine] {
    border-left: 3px solid ${token('accent')};
  }
  .card[data-stopped] {
    opacity: 0.75;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.35rem 0.6rem;
    font-size: 0.8125rem;
    color: ${token('text-muted')};
  }
  .who {
    color: ${token('text')};
    font-weight: 650;
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    padding: 0.1rem 0.5rem;
    border-radius: 1rem;
    background: ${token('accent-soft')};
    color: ${token('accent')};
    font-weight: 600;
  }
  .badge.wait {
    background: color-mix(in srgb, ${token('warning')} 15%, transparent);
    color: ${token('warning')};
  }
  .text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    line-height: 1.55;
    font-size: 1rem;
  }
  .text.clamped {
    display: -webkit-box;
    -webkit-line-clamp: 12;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
  .more {
    justify-self: start;
    min-height: 2rem;
    padding: 0.2rem 0.5rem;
    color: ${token('accent')};
  }
  .file {
    display: flex;
    align-items: center;
    gap: 0.85rem;
    min-width: 0;
  }
  .file-text {
    display: grid;
    min-width: 0;
    gap: 0.1rem;
  }
  .name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .name-line {
    display: flex;
    align-items: baseline;
    gap: 0.375rem;
    min-width: 0;
  }
  .extension {
    flex: none;
    padding: 0 0.375rem;
    border: 1px solid ${token('border')};
    border-radius: 0.25rem;
    font-family: ui-monospace, monospace;
    font-size: 0.75rem;
    font-weight: 700;
  }
  .muted {
    color: ${token('text-muted')};
    font-size: 0.8125rem;
    overflow-wrap: anywhere;
  }
  .error {
    margin: 0;
    color: ${token('danger')};
    font-size: 0.875rem;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.35rem;
    margin-right: -0.4rem;
  }
  .actions button:not(.icon) {
    min-height: 2.25rem;
    padding: 0.35rem 0.8rem;
    font-size: 0.875rem;
  }
  .actions button.icon {
    min-height: 2.25rem;
    min-width: 2.25rem;
    color: ${token('text-muted')};
  }
  .actions button.icon:hover:not(:disabled) {
    color: ${token('text')};
  }
  .actions button.danger:hover:not(:disabled) {
    color: ${token('danger')};
  }
  .saved {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    color: ${token('success')};
  }
  .spacer {
    flex: 1;
  }
  .rename {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    padding-bottom: 0.4rem;
  }
  .rename input {
    flex: 1 1 12rem;
  }
  @keyframes enter {
    from {
      opacity: 0;
      transform: translateY(-6px);
    }
  }
`;
