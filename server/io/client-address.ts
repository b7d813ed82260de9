/**
 * The client's address for rate limits. Behind proxies, X-Forwarded-For is
 * used only when TRUST_PROXY says how many proxies are ours: each appends the
 * address it saw, so the one `hops` from the right was written by our
 * outermost proxy; anything left of it is whatever the client claimed.
 */
export function clientAddress(
  handshake: { address: string; headers: Record<string, string | string[] | undefined> },
  trustProxyHops: number,
): string {
  if (trustProxyHops === 0) return handshake.address;
  const header = handshake.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return list[list.length - trustProxyHops] ?? list[0] ?? handshake.address;
}
