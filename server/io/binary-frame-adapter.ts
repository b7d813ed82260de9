/**
 * A Socket.IO adapter that broadcasts a packet carrying a large binary (a file
 * chunk) without copying it: the WebSocket frame is written from two buffers,
 * the frame header plus the msgpack bytes before the binary, then the binary
 * itself, still a view of the message it arrived in.
 *
 * A Socket.IO packet must be one WebSocket message, so an encoder alone has
 * to copy the header and the payload into one buffer. Engine.IO can instead
 * write a frame computed ahead (`wsPreEncodedFrame`, which the stock adapter
 * uses for text broadcasts) with ws's `Sender.sendFrame`, a cork and two
 * writes. The bytes on the wire are the same as encode()'s.
 *
 * Used only when every recipient can take it: an Engine.IO 4 binary
 * WebSocket without permessage-deflate. Otherwise (long-polling, base64,
 * compressed or Socket.IO 2 clients) the packet is encoded whole, once, as the
 * stock adapter does. (With connectionStateRecovery, Socket.IO would need
 * withBinaryFrames(SessionAwareAdapter); ShareThings does not enable it.)
 */
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';
import type { Packet } from '../../protocol/parser.ts';
import type { SplitEncoding } from '../../protocol/msgpack/encode.ts';

/** What the adapter needs from the server's parser (protocol/parser.ts has it). */
interface SplittingEncoder {
  encode(packet: Packet): Array<string | Uint8Array>;
  /** Undefined when this packet cannot be split (e.g. the admin namespace's text packets). */
  encodeSplit?(packet: Packet): SplitEncoding | undefined;
}

/** The members of socket.io-adapter's Adapter that its typings keep private. */
interface AdapterInternals {
  encoder: SplittingEncoder;
  apply(opts: BroadcastOptions, callback: (socket: RecipientSocket) => void): void;
  _encode(packet: Packet, packetOpts: Record<string, unknown>): Array<string | Uint8Array>;
}

/** The parts of a Socket.IO socket and its Engine.IO transport looked at here. */
interface RecipientSocket {
  conn: {
    protocol: number;
    transport: {
      name: string;
      supportsBinary?: boolean;
      /** Engine.IO's own test of whether it will write a computed frame (transports/websocket.js). */
      _canSendPreEncodedFrame?(packet: { options: { wsPreEncodedFrame: unknown } }): boolean;
    };
  };
}

const PROBE = { options: { wsPreEncodedFrame: [] } };

/**
 * A binary WebSocket of Engine.IO 4, on which Engine.IO itself says it will
 * write the computed frame (not permessage-deflate). Engine.IO 3 (Socket.IO 2
 * clients) puts a type byte before each binary message, so it is left out.
 */
function takesBinaryFrames(socket: RecipientSocket): boolean {
  const { protocol, transport } = socket.conn;
  return (
    protocol === 4 &&
    transport.name === 'websocket' &&
    transport.supportsBinary === true &&
    transport._canSendPreEncodedFrame?.(PROBE) === true
  );
}

/** RFC 6455 §5.2 header of one unmasked, final, binary frame of `length` bytes, then `head`. */
export function frameStart(head: Uint8Array, length: number): Buffer {
  const headerSize = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerSize + head.length);
  out[0] = 0x82; // FIN, opcode 2 (binary)
  if (length < 126) {
    out[1] = length;
  } else if (length < 0x10000) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    out.writeUInt32BE(length >>> 0, 6);
  }
  out.set(head, headerSize);
  return out;
}

type AdapterConstructor = new (...args: any[]) => Adapter;

/**
 * Adds zero-copy broadcasts to an adapter class (the in-memory Adapter, or
 * one built on it). Only broadcasts go through the adapter; `socket.emit` and
 * acknowledgements are encoded whole by Socket.IO.
 */
export function withBinaryFrames<Base extends AdapterConstructor>(BaseAdapter: Base): Base {
  return class BinaryFrameAdapter extends BaseAdapter {
    /** The recipients of the broadcast being encoded: _encode() is only given the packet. */
    private recipients: BroadcastOptions | undefined;

    constructor(...args: any[]) {
      super(...args);
      const internals = this as unknown as AdapterInternals;
      const encodeWhole = internals._encode.bind(this);
      // An own property: the typings declare _encode private, so it cannot be overridden in the class body.
      internals._encode = (packet, packetOpts) => {
        const split = this.recipients && internals.encoder.encodeSplit?.(packet);
        if (!split) return encodeWhole(packet, packetOpts);
        const { head, tail } = split;
        if (!tail) return [head];
        let everyoneTakesFrames = true;
        internals.apply(this.recipients!, (socket) => {
          if (!takesBinaryFrames(socket)) everyoneTakesFrames = false;
        });
        if (!everyoneTakesFrames) return [Buffer.concat([head, tail])];
        packetOpts.wsPreEncodedFrame = [frameStart(head, head.length + tail.length), tail];
        // Engine.IO does not read the data of a packet with a computed frame. Only listeners
        // of its `packetCreate` event see it (the admin UI counts its length).
        return [tail];
      };
    }

    override broadcast(packet: any, opts: BroadcastOptions): void {
      this.recipients = opts;
      try {
        super.broadcast(packet, opts);
      } finally {
        this.recipients = undefined;
      }
    }

    override broadcastWithAck(packet: any, opts: BroadcastOptions, clientCountCallback: (count: number) => void, ack: (...args: any[]) => void): void {
      this.recipients = opts;
      try {
        super.broadcastWithAck(packet, opts, clientCountCallback, ack);
      } finally {
        this.recipients = undefined;
      }
    }
  };
}

/** Socket.IO's in-memory adapter with zero-copy broadcasts: the `adapter` option of a server using protocol/parser.ts. */
export const BinaryFrameAdapter = withBinaryFrames(Adapter);
