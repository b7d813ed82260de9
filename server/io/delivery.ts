/**
 * How a node delivers broadcasts: which of its connections get each one, and
 * whether one needs to reach the other nodes at all. The adapters ask; the
 * content concern answers (content/delivery-policy.ts).
 */
import type { Packet } from '../../protocol/parser.ts';
import type { RecipientFilter } from './binary-frame-adapter.ts';

export interface DeliveryPolicy {
  /** Which of this node's connections get a broadcast (sent here, or from another node). */
  recipients(packet: Packet): RecipientFilter;
  /** Whether a broadcast sent here needs no other node (it is then not published to Redis). */
  staysLocal(packet: Packet, rooms: ReadonlySet<string>): boolean;
  /** A broadcast to `room` came from another node. */
  fromElsewhere(room: string): void;
}
