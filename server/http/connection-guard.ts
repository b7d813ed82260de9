/**
 * The HTTP server's own limits, before any request is parsed: timeouts for
 * headers sent slowly, whole requests (a body that trickles in), and idle
 * keep-alive connections; and a cap on the TCP connections one address holds
 * open at once, each one over it closed at once. Behind a proxy (TRUST_PROXY)
 * every connection comes from the proxy, so the cap is the proxy's job there
 * (haproxy.cfg limits each client address).
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';

/** How often Node checks the header and request timeouts (its default, 30 s, would let them run over by as much). */
export function timeoutCheckInterval(limits: Config['limits']): number {
  return Math.max(50, Math.min(1000, Math.floor(limits.httpHeadersTimeoutMs / 4)));
}

export function guardConnections(server: HttpServer, config: Config): void {
  const { limits } = config;
  server.headersTimeout = limits.httpHeadersTimeoutMs;
  server.requestTimeout = limits.httpRequestTimeoutMs;
  server.keepAliveTimeout = limits.httpKeepAliveTimeoutMs;
  if (config.trustProxyHops > 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= limits.httpConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
