/**
 * Connection middleware: who is connecting (address), whether they may
 * (ACCESS_TOKEN), and how often (connections per address). Every refusal ends
 * in next(err) with err.data = { code, retryAfterMs? }, which the client sees
 * as a connect_error.
 */
import type { ErrorCode } from '../../protocol/errors.ts';
import { ProtocolError } from '../../protocol/errors.ts';
import type { Config } from '../config.ts';
import type { Limits } from '../limits/limits.ts';
import { accessTokenCheck, requestToken } from './access-token.ts';
import { clientAddress } from './client-address.ts';
import type { IoServer } from './types.ts';

class ConnectError extends Error {
  readonly data: { code: ErrorCode; retryAfterMs?: number };

  constructor(message: string, data: { code: ErrorCode; retryAfterMs?: number }) {
    super(message);
    this.data = data;
  }
}

export function useConnectionMiddleware(io: IoServer, config: Config, limits: Limits): void {
  const hasToken = accessTokenCheck(config.accessToken);
  io.use(async (socket, next) => {
    const address = clientAddress(socket.handshake, config.trustProxyHops);
    socket.data.address = address;
    try {
      await limits.checkConnection(address);
    } catch (error) {
      const refused = error instanceof ProtocolError ? error : new ProtocolError('UNAVAILABLE', 'Cannot take new connections right now', 1000);
      const { code, retryAfterMs } = refused;
      const message = code === 'RATE_LIMITED' ? 'Too many new connections; try again later' : refused.message;
      next(new ConnectError(message, { code, ...(retryAfterMs ? { retryAfterMs } : {}) }));
      return;
    }
    if (config.accessToken !== undefined) {
      // Checked at the handshake already (handshake-guard.ts); Socket.IO's `auth` is accepted too.
      const given: unknown = socket.handshake.auth?.accessToken ?? requestToken(socket.request);
      if (!hasToken(given)) {
        next(new ConnectError('This server needs an access token', { code: 'UNAUTHORIZED' }));
        return;
      }
    }
    next();
  });
}
