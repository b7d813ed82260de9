/**
 * The affinity key: sent with every request of the connection (the
 * `affinity` query parameter), so that a load balancer in front of several
 * nodes sends a session's members to the same node (haproxy.cfg: `balance
 * url_param affinity`), where their chunks never cross Redis. A hash of the
 * session id, so proxies and their logs never see the id itself. Routing only:
 * any node serves any session.
 */
export async function affinityKey(sessionId: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(`sharethings-affinity:${sessionId}`));
  return [...new Uint8Array(digest, 0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
