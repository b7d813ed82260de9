/**
 * The Socket.IO admin UI speaks Socket.IO's default (text) parser, while
 * every other client speaks msgpack. When the admin UI is enabled, this
 * parser encodes packets of the admin namespace with the default parser and
 * everything else with ours, and decodes text frames with the default parser
 * only when they are for the admin namespace.
 */
import { Emitter } from '@socket.io/component-emitter';
import * as defaultParser from 'socket.io-parser';
import { Encoder as MsgpackEncoder, type Packet } from '../../protocol/parser.ts';
import { Decoder as MsgpackDecoder } from '../io/server-parser.ts';
import type { SplitEncoding } from '../../protocol/msgpack/encode.ts';

export const ADMIN_NAMESPACE = '/admin';

export const protocol = 5;

export class Encoder {
  private readonly msgpack = new MsgpackEncoder();
  private readonly text = new defaultParser.Encoder();

  encode(packet: Packet): Array<string | Uint8Array> {
    return packet.nsp === ADMIN_NAMESPACE ? this.text.encode(packet as defaultParser.Packet) : this.msgpack.encode(packet);
  }

  /** For server/io/binary-frame-adapter.ts: msgpack packets only. */
  encodeSplit(packet: Packet): SplitEncoding | undefined {
    return packet.nsp === ADMIN_NAMESPACE ? undefined : this.msgpack.encodeSplit(packet);
  }
}

export class Decoder extends Emitter<{}, {}, { decoded: (packet: Packet) => void }> {
  private readonly msgpack = new MsgpackDecoder();
  private text: defaultParser.Decoder | undefined;

  constructor() {
    super();
    this.msgpack.on('decoded', (packet: Packet) => this.emitReserved('decoded', packet));
  }

  add(chunk: unknown): void {
    if (typeof chunk !== 'string') {
      this.msgpack.add(chunk);
      return;
    }
    if (!this.text) {
      this.text = new defaultParser.Decoder();
      this.text.on('decoded', (packet: defaultParser.Packet) => {
        if (packet.nsp !== ADMIN_NAMESPACE) throw new Error('text packets are only for the admin namespace');
        this.emitReserved('decoded', packet as Packet);
      });
    }
    this.text.add(chunk);
  }

  destroy(): void {
    this.msgpack.destroy();
    this.text?.destroy();
  }
}
