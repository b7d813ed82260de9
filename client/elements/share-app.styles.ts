/** The styles of <share-app>: theme defaults, the top bar, and the responsive layout. */
import { css } from 'lit';
import { token } from '../styles/tokens.ts';

export const appStyles = css`
  :host {
    display: block;
    min-height: 100%;
    color-scheme: light dark;
    background: ${token('bg')};
    color: ${token('text')};
    font-family: ${token('font')};
    font-size: 1rem;
    line-height: 1.4;
    -webkit-font-smoothing: antialiased;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  .brand {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    font-weight: 750;
    font-size: 1.0625rem;
    letter-spacing: -0.01em;
    white-space: nowrap;
  }
  .brand svg {
    width: 1.6rem;
    height: 1.6rem;
    padding: 0.25rem;
    border-radius: 0.5rem;
    background: ${token('accent')};
    color: ${token('accent-text')};
  }
  .start-top {
    display: flex;
    align-items: center;
    justify-content: space-between;
    max-width: 72rem;
    margin: 0 auto;
    padding: 0.75rem 1rem 0;
  }
  .topbar {
    position: sticky;
    top: 0;
    z-index: 10;
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.6rem max(1rem, calc((100% - 72rem) / 2 + 1rem));
    border-bottom: 1px solid ${token('border')};
    background: color-mix(in srgb, ${token('surface')} 88%, transparent);
    backdrop-filter: saturate(1.4) blur(10px);
  }
  /* The session id is the page's heading; shown whole, breaking after a hyphen (or anywhere) where space is short. */
  .session-id {
    min-width: 0;
    margin: 0;
    padding: 0.2rem 0.6rem;
    border-radius: 2rem;
    background: ${token('surface-2')};
    color: ${token('text-muted')};
    font-family: ${token('font-mono')};
    font-size: 0.8125rem;
    font-weight: 500;
    line-height: 1.35;
    overflow-wrap: anywhere;
  }
  .grow {
    flex: 1;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 20rem;
    grid-template-areas: 'main side';
    align-items: start;
    gap: 1.5rem;
    max-width: 72rem;
    margin: 0 auto;
    padding: 1.5rem 1rem 4rem;
  }
  .main {
    grid-area: main;
    display: grid;
    gap: 1.25rem;
    min-width: 0;
  }
  .side {
    grid-area: side;
    display: grid;
    gap: 1rem;
  }
  .members share-fingerprint {
    margin-top: 1rem;
    padding-top: 0.9rem;
    border-top: 1px solid ${token('border')};
  }
  .card {
    padding: 1rem 1.1rem;
    border: 1px solid ${token('border')};
    border-radius: ${token('radius')};
    background: ${token('surface')};
    box-shadow: ${token('shadow')};
  }
  .card h2 {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    margin: 0 0 0.75rem;
    font-size: 0.9375rem;
  }
  .card h2 svg {
    color: ${token('accent')};
  }
  .count {
    margin-left: auto;
    padding: 0 0.5rem;
    border-radius: 1rem;
    background: ${token('surface-2')};
    color: ${token('text-muted')};
    font-size: 0.8125rem;
  }
  details.invite summary {
    list-style: none;
    cursor: pointer;
    border-radius: ${token('radius-small')};
  }
  details.invite summary::-webkit-details-marker {
    display: none;
  }
  details.invite summary h2::after {
    content: '';
    width: 0.5rem;
    height: 0.5rem;
    margin-left: auto;
    border-right: 2px solid ${token('text-muted')};
    border-bottom: 2px solid ${token('text-muted')};
    transform: rotate(45deg);
    transition: transform 150ms;
  }
  details.invite[open] summary h2::after {
    transform: rotate(225deg);
  }
  details.invite:not([open]) summary h2 {
    margin-bottom: 0;
  }
  .insecure {
    max-width: 36rem;
    margin: 4rem auto;
    padding: 0 1rem;
    line-height: 1.55;
  }
  @media (max-width: 959px) {
    .layout {
      grid-template-columns: minmax(0, 1fr);
      grid-template-areas: none;
      gap: 0.75rem;
      padding: 0.75rem 0.75rem 3rem;
    }
    /* One column in reading order: the composer and the timeline first, then members and the invitation. */
    .main,
    .side {
      grid-area: auto;
    }
    .side {
      gap: 0.75rem;
      margin-top: 0.75rem;
    }
  }
  @media (max-width: 520px) {
    .topbar {
      gap: 0.25rem;
      padding: 0.5rem 0.6rem;
    }
    .topbar .brand > span,
    .leave .label {
      display: none;
    }
    .session-id {
      padding: 0.15rem 0.45rem;
      border-radius: 0.5rem;
      font-size: 0.75rem;
    }
  }
`;
