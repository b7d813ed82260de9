/**
 * Node.js only: engine.io-client's WebSocket transport (the `ws` package),
 * masking large packets in place instead of into a copy.
 *
 * A client must mask every frame it sends (RFC 6455 §5.3). `ws` masks into a
 * new buffer unless told the data may be changed, and it cannot be told so
 * through `send()`. The buffers protocol/parser.ts encodes belong to no one
 * else once sent (ownsItsBytes), so for them this transport frames and masks
 * in place with ws's own `Sender.frame`, then writes the frame as `send()`
 * would, and once written gives the buffer back to the parser's pool for the
 * next chunk (protocol/msgpack/buffer-pool.ts). Any other data, or a socket
 * not in the plain state this relies on (open, no permessage-deflate, nothing
 * queued), goes through `send()`. Importing this module turns that tracking
 * and pooling on in the parser (useInPlaceWrites); listeners of engine.io's
 * `packetCreate` event would see a large packet's bytes masked once sent.
 *
 *   import { nodeTransports } from './client/sdk/node-websocket.ts';
 *   new ShareClient({ url, socketOptions: { transports: nodeTransports } });
 *
 * Not for browsers: it imports `ws` (browsers mask inside WebSocket.send()).
 */
import { Socket as NetSocket } from 'node:net';
import { NodeWebSocket, NodeXHR } from 'engine.io-client';
import { ownsItsBytes, recycleEncoding, useInPlaceWrites } from '../../protocol/parser.ts';

useInPlaceWrites();

const OPEN = 1;
/** ws's Sender state when nothing (deflate, a Blob read) is queued ahead. */
const SENDER_IDLE = 0;

/** The parts of a `ws` WebSocket used here; the Sender's are not in its typings. */
interface WsSocket {
  readyState: number;
  extensions: string;
  /** The TCP (or TLS) socket under it, or a user agent's own stream. */
  _socket?: unknown;
  _sender?: {
    _state?: number;
    sendFrame?(frame: Uint8Array[], callback: (error?: Error | null) => void): void;
    constructor: { frame?(data: Uint8Array, options: Record<string, unknown>): Uint8Array[] };
  };
}

export class MaskInPlaceWebSocket extends NodeWebSocket {
  override doWrite(packet: Parameters<NodeWebSocket['doWrite']>[0], data: Parameters<NodeWebSocket['doWrite']>[1]): void {
    const socket = (this as unknown as { ws: WsSocket }).ws;
    const sender = socket._sender;
    const frame = sender?.constructor.frame;
    if (
      ownsItsBytes(data) &&
      socket.readyState === OPEN &&
      socket.extensions === '' &&
      sender?._state === SENDER_IDLE &&
      typeof sender.sendFrame === 'function' &&
      typeof frame === 'function'
    ) {
      const bytes = data as Uint8Array;
      // Once a net (or TLS) socket has written them, the masked bytes are of no use to anyone: the next
      // encoding may take the buffer. A stream of some other kind (a custom agent's tunnel) might still
      // hold them after its callback, so its buffers are left to the garbage collector.
      const recyclable = socket._socket instanceof NetSocket;
      sender.sendFrame(frame(bytes, { fin: true, rsv1: false, opcode: 2, mask: true, readOnly: false }), (error) => {
        if (!error && recyclable) recycleEncoding(bytes);
      });
      return;
    }
    super.doWrite(packet, data);
  }
}

/** The SDK's transports (client/sdk/socket.ts: WebSocket, long-polling as the fallback) for Node. */
export const nodeTransports = [MaskInPlaceWebSocket, NodeXHR];
