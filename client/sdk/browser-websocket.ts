/**
 * Browsers only: engine.io-client's WebSocket transport, giving each large
 * packet's buffer back to the parser's pool once WebSocket.send() has taken
 * its bytes, so the next chunk is encoded into memory already mapped.
 *
 * Without it, every file chunk is encoded into a fresh buffer of half a MiB:
 * the copy then runs on pages the kernel maps and zeroes on first touch, and
 * the dead buffers pile up for the garbage collector (about a tenth of the
 * sending page's time). send() copies the bytes of an ArrayBufferView before
 * it returns (WebSockets standard: "a copy of the bytes held by the buffer
 * source"), so the buffer is free as soon as it returns. Importing this
 * module turns tracking and pooling on in the parser (useInPlaceWrites), as
 * node-websocket.ts does for Node.
 *
 *   new ShareClient({ url, socketOptions: { transports: browserTransports } });
 */
import { WebSocket, XHR } from 'engine.io-client';
import { ownsItsBytes, recycleEncoding, useInPlaceWrites } from '../../protocol/parser.ts';

useInPlaceWrites();

export class RecyclingWebSocket extends WebSocket {
  override doWrite(packet: Parameters<WebSocket['doWrite']>[0], data: Parameters<WebSocket['doWrite']>[1]): void {
    try {
      super.doWrite(packet, data);
    } finally {
      // Sent (copied) or refused (a closed socket): either way nothing reads these bytes again.
      if (ownsItsBytes(data)) recycleEncoding(data as Uint8Array);
    }
  }
}

/** The SDK's transports (client/sdk/socket.ts: WebSocket, long-polling as the fallback) for browsers. */
export const browserTransports = [RecyclingWebSocket, XHR];
