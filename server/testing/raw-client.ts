/**
 * A Socket.IO client built by hand on a plain WebSocket: Engine.IO framing
 * and our msgpack packets, nothing more. Fuzz tests use it to send any value
 * (or any frame) a real client library would refuse to produce.
 */
import WebSocket from 'ws';
import { Decoder, Encoder, PacketType, type Packet } from '../../protocol/parser.ts';

export class RawClient {
  private nextId = 0;
  private readonly encoder = new Encoder();
  private readonly acks = new Map<number, (response: unknown) => void>();
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Opens the Engine.IO connection and, unless told not to, the Socket.IO namespace. */
  static async open(port: number, { connect = true } = {}): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const client = new RawClient(ws);
    const decoder = new Decoder();
    let connected: (() => void) | undefined;
    decoder.on('decoded', (packet: Packet) => {
      if (packet.type === PacketType.CONNECT) connected?.();
      if (packet.type === PacketType.ACK && packet.id !== undefined) {
        client.acks.get(packet.id)?.((packet.data as unknown[])[0]);
        client.acks.delete(packet.id);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return decoder.add(data);
        const text = String(data);
        if (text === '2') ws.send('3'); // Engine.IO 4: the server pings, the client pongs.
        if (text.startsWith('0')) resolve();
      });
    });
    if (connect) {
      const ready = new Promise<void>((resolve) => (connected = resolve));
      client.send({ type: PacketType.CONNECT, nsp: '/' });
      await ready;
    }
    return client;
  }

  send(packet: Packet): void {
    this.ws.send(this.encoder.encode(packet)[0]!);
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
