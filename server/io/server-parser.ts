/**
 * The msgpack parser as the server uses it: the packets a client sends are
 * held to the inbound limits of one message (protocol/limits.ts), and each
 * connection's decoding work to a budget per window. Past either, the
 * decoder throws and Socket.IO closes that connection only, as it does for
 * malformed messages. Clients keep the parser's own, looser defaults.
 */
import { Decoder as MsgpackDecoder } from '../../protocol/parser.ts';
import {
  DECODE_VALUES_PER_WINDOW,
  DECODE_WINDOW_MS,
  MAX_INBOUND_STRING_BYTES,
  MAX_INBOUND_VALUES,
} from '../../protocol/limits.ts';

export { Encoder, protocol } from '../../protocol/parser.ts';

export class Decoder extends MsgpackDecoder {
  constructor() {
    super(
      { maxValues: MAX_INBOUND_VALUES, maxStringBytes: MAX_INBOUND_STRING_BYTES },
      { values: DECODE_VALUES_PER_WINDOW, windowMs: DECODE_WINDOW_MS },
    );
  }
}

/** What cutConnectionsOnRefusal needs of the Engine.IO server. */
interface EngineLike {
  on(event: 'connection', listener: (conn: { transport: unknown; on(event: 'close', listener: (reason: string) => void): unknown }) => void): unknown;
}

/**
 * A connection the server closes (a message refused above, `disconnect(true)`,
 * shutdown) is cut at once, not through the WebSocket closing handshake: ws
 * would otherwise read (and unmask) whatever the peer keeps sending for up to
 * 30 s while it waits for the peer's close frame. Clients see the same
 * `transport close` either way and reconnect.
 */
export function cutConnectionsOnRefusal(engine: EngineLike): void {
  engine.on('connection', (conn) => {
    conn.on('close', (reason) => {
      if (reason !== 'forced close') return;
      const ws = (conn.transport as { socket?: { terminate?: () => void } } | undefined)?.socket;
      if (typeof ws?.terminate === 'function') ws.terminate();
    });
  });
}
