/**
 * The cluster's Socket.IO adapter: @socket.io/redis-adapter (classic
 * pub/sub: local members get a broadcast at once, without waiting for Redis)
 * with the node's own delivery on top (io/binary-frame-adapter.ts), so file
 * chunks are written without copies on the node that delivers them, including
 * those that arrive from another node through Redis, and slow receivers are
 * held back on every node.
 *
 * Broadcasts that need no other node (delivery.ts: a session whose members
 * are all here) are not published. Publishing never waits or queues: while
 * Redis is away, broadcasts reach this node's members only.
 */
import type { BroadcastOptions } from 'socket.io-adapter';
import { RedisAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { describeError, type Logger } from '../log.ts';
import { withBinaryFrames } from '../io/binary-frame-adapter.ts';
import type { DeliveryPolicy } from '../io/delivery.ts';

/** The adapter's message to the other nodes starts with msgpack [uid, packet, opts]: the sender's uid, a 6-character string. */
function senderUid(message: Buffer): string | undefined {
  return message[0] === 0x93 && message[1] === 0xa6 ? message.toString('latin1', 2, 8) : undefined;
}

/** The commands the adapter sends without handling their failure. */
const UNCHECKED = ['publish', 'psubscribe', 'punsubscribe', 'subscribe', 'unsubscribe'] as const;

/**
 * Makes those commands log a failure instead of rejecting unhandled (which
 * would stop the process): while Redis is away a broadcast reaches this
 * node's members only, and ioredis subscribes again once it is back.
 */
function neverRejecting(redis: Redis, log: Logger): void {
  let lastLogged = 0;
  for (const name of UNCHECKED) {
    const command = (redis[name] as (...args: unknown[]) => Promise<unknown>).bind(redis);
    (redis as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      command(...args).catch((error: unknown) => {
        if (Date.now() - lastLogged >= 5_000) {
          lastLogged = Date.now();
          log.warn('Redis could not take a broadcast or subscription', { command: name, error: describeError(error) });
        }
        return 0;
      });
  }
}

export function clusterAdapter(publisher: Redis, subscriber: Redis, channel: string, policy: DeliveryPolicy, log: Logger) {
  neverRejecting(publisher, log);
  neverRejecting(subscriber, log);
  const Delivering = withBinaryFrames(RedisAdapter, (packet) => policy.recipients(packet));
  const prefix = `${channel}#/#`;
  return class ClusterAdapter extends Delivering {
    constructor(nsp: any) {
      super(nsp, publisher, subscriber, { key: channel });
      if (nsp.name !== '/') return;
      // Which sessions have members elsewhere: any broadcast to them from another node says so.
      subscriber.on('pmessageBuffer', (_pattern: Buffer, name: Buffer, message: Buffer) => {
        const room = name.toString();
        if (!room.startsWith(prefix) || senderUid(message) === this.uid) return;
        policy.fromElsewhere(room.slice(prefix.length, -1));
      });
    }

    override broadcast(packet: any, opts: BroadcastOptions): void {
      const local = opts.flags?.local || policy.staysLocal(packet, opts.rooms);
      super.broadcast(packet, local && !opts.flags?.local ? { ...opts, flags: { ...opts.flags, local: true } } : opts);
    }
  };
}
