/**
 * The Socket.IO adapter of ShareThings, on top of the in-memory one or the
 * Redis one. Every broadcast delivered on this node (sent here, or arriving
 * from another node through Redis) passes through `apply()` right after
 * `_encode()`; this adapter encodes there, once the local recipients are
 * known, so that:
 *
 * - a policy (`recipients`, see content/slow-receivers.ts) may hold the
 *   broadcast back from some of them, or from all of them, before anything is
 *   encoded;
 * - a packet carrying a large binary (a file chunk) is written without being
 *   copied: the WebSocket frame goes out from two buffers, the frame header
 *   plus the msgpack bytes before the binary, then the binary itself, still a
 *   view of the message it arrived in.
 *
 * A Socket.IO packet must be one WebSocket message, so an encoder alone has
 * to copy the header and the payload into one buffer. Engine.IO can instead
 * write a frame computed ahead (`wsPreEncodedFrame`, which the stock adapter
 * uses for text broadcasts) with ws's `Sender.sendFrame`, a cork and two
 * writes. The bytes on the wire are the same as encode()'s.
 *
 * Frames are used only when every recipient can take them: an Engine.IO 4
 * binary WebSocket without permessage-deflate. Otherwise (long-polling,
 * base64, compressed or Socket.IO 2 clients) the packet is encoded whole,
 * once, as the stock adapter does. (With connectionStateRecovery, Socket.IO
 * would need withBinaryFrames(SessionAwareAdapter); ShareThings does not
 * enable it.)
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
  _encode(packet: Packet, packetOpts: Record<string, unknown>): Array<string | Uint8Array>;
  apply(opts: BroadcastOptions, callback: (socket: RecipientSocket) => void): void;
}

/** The parts of a Socket.IO socket and its Engine.IO transport looked at here. */
interface RecipientSocket {
  id: string;
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

/** Who gets one broadcast on this node: undefined = every recipient, null = none. */
export type RecipientFilter = ((socket: { id: string }) => boolean) | null | undefined;

/** A broadcast between `_encode()` and the `apply()` that follows it. */
interface PendingBroadcast {
  packet: Packet;
  packetOpts: Record<string, unknown>;
  /** The array Adapter.broadcast hands to every recipient: filled in by apply(). */
  encoded: Array<string | Uint8Array>;
  filter: RecipientFilter;
}

/**
 * Adds policy-filtered, zero-copy broadcasts to an adapter class (the
 * in-memory Adapter, or one built on it such as RedisAdapter). Only
 * broadcasts go through the adapter; `socket.emit` and acknowledgements are
 * encoded whole by Socket.IO.
 */
export function withBinaryFrames<Base extends AdapterConstructor>(
  BaseAdapter: Base,
  recipients: (packet: Packet) => RecipientFilter = () => undefined,
): Base {
  return class BinaryFrameAdapter extends BaseAdapter {
    private pending: PendingBroadcast | undefined;
    private encodeWhole!: AdapterInternals['_encode'];

    constructor(...args: any[]) {
      super(...args);
      const internals = this as unknown as AdapterInternals;
      this.encodeWhole = internals._encode.bind(this);
      const applyToAll = internals.apply.bind(this);
      // Adapter.broadcast (and broadcastWithAck) call _encode, then apply at once with the recipients.
      // Own properties: the typings declare both private, so they cannot be overridden in the class body.
      internals._encode = (packet, packetOpts) => {
        const encoded: Array<string | Uint8Array> = [];
        this.pending = { packet, packetOpts, encoded, filter: recipients(packet) };
        return encoded;
      };
      internals.apply = (opts, callback) => {
        const pending = this.pending;
        this.pending = undefined;
        if (!pending) {
          applyToAll(opts, callback);
          return;
        }
        if (pending.filter === null) return;
        const chosen: RecipientSocket[] = [];
        applyToAll(opts, (socket) => {
          if (!pending.filter || pending.filter(socket)) chosen.push(socket);
        });
        if (chosen.length === 0) return;
        this.encodeFor(pending, chosen);
        for (const socket of chosen) callback(socket);
      };
    }

    private encodeFor({ packet, packetOpts, encoded }: PendingBroadcast, chosen: RecipientSocket[]): void {
      const split = (this as unknown as AdapterInternals).encoder.encodeSplit?.(packet);
      if (!split) {
        encoded.push(...this.encodeWhole(packet, packetOpts));
        return;
      }
      const { head, tail } = split;
      if (!tail) encoded.push(head);
      else if (!chosen.every(takesBinaryFrames)) encoded.push(Buffer.concat([head, tail]));
      else {
        packetOpts.wsPreEncodedFrame = [frameStart(head, head.length + tail.length), tail];
        // Engine.IO does not read the data of a packet with a computed frame. Only listeners
        // of its `packetCreate` event see it (the admin UI counts its length).
        encoded.push(tail);
      }
    }
  };
}

/** Socket.IO's in-memory adapter with zero-copy broadcasts: the `adapter` option of a server using protocol/parser.ts. */
export const BinaryFrameAdapter = withBinaryFrames(Adapter);
