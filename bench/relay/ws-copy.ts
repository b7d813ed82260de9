/**
 * The copy of `ws` a Socket.IO package uses (engine.io on the server,
 * engine.io-client on the client), so that the raw-ws baseline runs exactly the
 * WebSocket code the Socket.IO variants run.
 */
import { createRequire } from 'node:module';

export interface WsModule {
  WebSocket: typeof import('ws').WebSocket;
  WebSocketServer: typeof import('ws').WebSocketServer;
}

export function wsCopyOf(pkg: 'engine.io' | 'engine.io-client'): WsModule {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve(pkg))('ws') as WsModule;
}
