/**
 * Links that open a session: `<app>#session=ID`, plus `&passphrase=...` only
 * when the person chose to include it. A URL fragment is never sent to any
 * server (not in requests, not in Referer), but it does stay in the browser
 * history of whoever opens the link.
 */
export interface LinkTarget {
  sessionId: string;
  passphrase?: string;
}

export function sessionLink(appUrl: string, target: LinkTarget): string {
  const url = new URL(appUrl);
  const params = new URLSearchParams({ session: target.sessionId });
  if (target.passphrase) params.set('passphrase', target.passphrase);
  url.hash = params.toString();
  return url.href;
}

/** Reads `#session=...&passphrase=...`; undefined when the fragment names no session. */
export function parseLink(hash: string): LinkTarget | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const sessionId = params.get('session')?.trim();
  if (!sessionId) return undefined;
  const passphrase = params.get('passphrase') ?? undefined;
  return passphrase ? { sessionId, passphrase } : { sessionId };
}

/** Drops the passphrase from the address bar once read, so it is not left on screen or bookmarked. */
export function forgetLinkPassphrase(sessionId: string): void {
  const url = new URL(location.href);
  if (!url.hash.includes('passphrase=')) return;
  url.hash = new URLSearchParams({ session: sessionId }).toString();
  history.replaceState(history.state, '', url.href);
}
