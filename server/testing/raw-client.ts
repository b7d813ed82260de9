/**
 * A Socket.IO client built by hand on a plain WebSocket: Engine.IO framing
 * and our msgpack packets, nothing more. Fuzz tests use it to send any value
 * (or any frame) a real client library would refuse to produce; with
 * `eio: 3` it speaks Engine.IO 3 like a Socket.IO 2 client (ALLOW_EIO3).
 */
import WebSocket from 'ws';
import { Decoder, Encoder, PacketType, type Packet } from '../../protocol/parser.ts';

/** Engine.IO 3 prefixes every binary message with its packet type: 4, a message. */
const EIO3_MESSAGE = Uint8Array.of(4);

export class RawClient {
  private nextId = 0;
  private readonly encoder = new Encoder();
  private readonly acks = new Map<number, (response: unknown) => void>();
  private readonly listeners = new Map<string, (payload: unknown) => void>();
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket, readonly eio: 3 | 4) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /**
   * Opens the Engine.IO connection and, unless told not to, the Socket.IO
   * namespace (with Engine.IO 3 the server opens it by itself).
   */
  static async open(port: number, { connect = true, eio = 4 as 3 | 4 } = {}): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=${eio}&transport=websocket`);
    const client = new RawClient(ws, eio);
    const decoder = new Decoder();
    let connected: (() => void) | undefined;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    decoder.on('decoded', (packet: Packet) => {
      if (packet.type === PacketType.CONNECT) connected?.();
      if (packet.type === PacketType.ACK && packet.id !== undefined) {
        client.acks.get(packet.id)?.((packet.data as unknown[])[0]);
        client.acks.delete(packet.id);
      }
      if (packet.type === PacketType.EVENT) {
        const [event, payload] = packet.data as [string, unknown];
        client.listeners.get(event)?.(payload);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          const bytes = data as Buffer;
          if (eio === 4) return decoder.add(bytes);
          if (bytes[0] !== EIO3_MESSAGE[0]) throw new Error(`Engine.IO 3 binary message of type ${bytes[0]}`);
          return decoder.add(bytes.subarray(1));
        }
        const text = String(data);
        if (text === '2') ws.send('3'); // Engine.IO 4: the server pings, the client pongs.
        if (text.startsWith('0')) resolve();
      });
    });
    if (connect) {
      if (eio === 4) client.send({ type: PacketType.CONNECT, nsp: '/' });
      await ready;
    }
    return client;
  }

  send(packet: Packet): void {
    const encoded = this.encoder.encode(packet)[0]!;
    this.ws.send(this.eio === 4 ? encoded : Buffer.concat([EIO3_MESSAGE, encoded]));
  }

  /** Calls `listener` with the payload of every `event` the server sends (one listener per event). */
  on(event: string, listener: (payload: unknown) => void): void {
    this.listeners.set(event, listener);
  }

  /** Emits an event with an ack; resolves with the server's answer. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.send({ type: PacketType.EVENT, nsp: '/', data: [event, payload], id });
    });
  }

  get pendingAcks(): number {
    return this.acks.size;
  }

  close(): void {
    this.ws.terminate();
  }
}
