/**
 * The node's delivery policy (io/delivery.ts): slow receivers are held back
 * (slow-receivers.ts), and a session's chunks stay on this node while all of
 * its members are connected here: HAProxy sends a session's members to one
 * node where it can, so most chunks never cross Redis. Every other broadcast
 * reaches every node, so correctness never depends on where members are.
 */
import type { Packet } from '../../protocol/parser.ts';
import type { DeliveryPolicy } from '../io/delivery.ts';
import { sessionOfRoom } from '../io/types.ts';
import type { Presence } from '../sessions/presence.ts';
import { chunkEvent, type SlowReceivers } from './slow-receivers.ts';

export function deliveryPolicy(slowReceivers: SlowReceivers, presence: Presence): DeliveryPolicy {
  return {
    recipients: (packet: Packet) => slowReceivers.recipients(packet),
    // A member that joins elsewhere meanwhile may miss a few pushed chunks: it fetches them (PROTOCOL.md §6.6).
    staysLocal: (packet, rooms) => {
      if (rooms.size !== 1 || !chunkEvent(packet)) return false;
      const sessionId = sessionOfRoom(rooms.values().next().value!);
      return sessionId !== undefined && !presence.spansNodes(sessionId);
    },
    fromElsewhere: (room) => {
      const sessionId = sessionOfRoom(room);
      if (sessionId !== undefined) presence.noteMembersElsewhere(sessionId);
    },
  };
}
