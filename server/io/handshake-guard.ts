/**
 * Limits before any work: Engine.IO's allowRequest runs for every handshake
 * (long-polling or WebSocket) before a session object is allocated. It
 * refuses, with HTTP 403 and the error code as the message:
 * - a handshake with a wrong ACCESS_TOKEN (access-token.ts), or without one
 *   beyond a few open per address: `UNAUTHORIZED`;
 * - more than HANDSHAKES_PER_ADDRESS handshakes per CONNECTION_WINDOW, or
 *   more than OPEN_CONNECTIONS_PER_ADDRESS connections open at once from one
 *   address: `RATE_LIMITED`.
 * Upgrades and later polling requests name an existing session (`sid`) and
 * are not handshakes: they count with the connection they belong to.
 * CONNECTIONS_PER_ADDRESS (middleware.ts) still answers at the connect step
 * with a `connect_error` and a retry time.
 */
import type { IncomingMessage } from 'node:http';
import { ProtocolError } from '../../protocol/errors.ts';
import type { Config } from '../config.ts';
import type { Limits } from '../limits/limits.ts';
import { accessTokenCheck, requestToken } from './access-token.ts';
import { clientAddress } from './client-address.ts';

/**
 * With ACCESS_TOKEN set, handshakes without any token are still admitted, a
 * few per address: stock Socket.IO clients and the admin UI can send it only
 * at the connect step (`auth`), where middleware.ts checks it (and the admin
 * namespace its own login). A wrong token is refused at once.
 */
const TOKENLESS_OPEN_PER_ADDRESS = 4;

type AllowRequest = (req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => void;

interface EngineSocket {
  request: IncomingMessage;
  once(event: 'close', listener: () => void): unknown;
}

interface Engine {
  on(event: 'connection', listener: (socket: EngineSocket) => void): unknown;
  on(event: 'connection_error', listener: (error: { req: IncomingMessage }) => void): unknown;
}

export class HandshakeGuard {
  /** Connections open (or being opened) per address. */
  private readonly open = new Map<string, number>();
  /** Of those, the ones whose handshake carried no token (with ACCESS_TOKEN set). */
  private readonly tokenless = new Map<string, number>();
  /** Handshakes admitted whose connection is not made yet: how to give their place back. */
  private readonly admitted = new WeakMap<IncomingMessage, () => void>();
  private readonly hasToken: (given: unknown) => boolean;

  constructor(
    private readonly config: Config,
    private readonly limits: Limits,
  ) {
    this.hasToken = accessTokenCheck(config.accessToken);
  }

  readonly allowRequest: AllowRequest = (req, callback) => {
    this.admit(req).then(
      (refusal) => callback(refusal, refusal === null),
      () => callback('UNAVAILABLE', false),
    );
  };

  /** Hands each admitted place to the connection made from it, released when it closes. */
  watch(engine: Engine): void {
    engine.on('connection', (socket) => {
      const release = this.admitted.get(socket.request);
      if (!release) return;
      this.admitted.delete(socket.request);
      socket.once('close', release);
    });
    engine.on('connection_error', ({ req }) => this.giveBack(req));
  }

  /** Connections open from `address` on this node. */
  openFrom(address: string): number {
    return this.open.get(address) ?? 0;
  }

  private async admit(req: IncomingMessage): Promise<string | null> {
    const token = requestToken(req);
    if (token !== undefined && !this.hasToken(token)) return 'UNAUTHORIZED';
    const tokenless = this.config.accessToken !== undefined && token === undefined;
    const address = clientAddress({ address: req.socket.remoteAddress ?? '', headers: req.headers }, this.config.trustProxyHops);
    if (this.openFrom(address) >= this.config.limits.openConnectionsPerAddress) return 'RATE_LIMITED';
    if (tokenless && (this.tokenless.get(address) ?? 0) >= TOKENLESS_OPEN_PER_ADDRESS) return 'UNAUTHORIZED';
    // Taken before the (possibly remote) rate check, so concurrent handshakes cannot all pass it.
    this.open.set(address, this.openFrom(address) + 1);
    if (tokenless) this.tokenless.set(address, (this.tokenless.get(address) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = this.openFrom(address) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
      if (!tokenless) return;
      const leftTokenless = (this.tokenless.get(address) ?? 0) - 1;
      if (leftTokenless > 0) this.tokenless.set(address, leftTokenless);
      else this.tokenless.delete(address);
    };
    try {
      await this.limits.checkHandshake(address);
    } catch (error) {
      release();
      return error instanceof ProtocolError ? error.code : 'UNAVAILABLE';
    }
    this.admitted.set(req, release);
    // A handshake that never becomes a connection (its socket closed, the upgrade refused) gives its place back.
    req.socket.once('close', () => this.giveBack(req));
    return null;
  }

  private giveBack(req: IncomingMessage): void {
    const release = this.admitted.get(req);
    if (!release) return;
    this.admitted.delete(req);
    release();
  }
}
