/**
 * The backends of a node, chosen once from the config. Alone: the disk store
 * under DATA_DIR and in-memory presence, limits and Socket.IO adapter. In
 * cluster mode (REDIS_URL): Redis and the object store for everything the
 * nodes share (cluster/backends.ts). Handlers only see the interfaces.
 */
import type { ServerOptions } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { withBinaryFrames } from './io/binary-frame-adapter.ts';
import type { DeliveryPolicy } from './io/delivery.ts';
import type { RateCounterFactory } from './limits/rate-counter.ts';
import { memoryRateCounters } from './limits/rate-counter.memory.ts';
import { soleLease, type Lease } from './retention/lease.ts';
import type { Presence } from './sessions/presence.ts';
import { MemoryPresence } from './sessions/presence.memory.ts';
import type { ContentStore } from './store/content-store.ts';
import { DiskStore } from './store/disk/disk-store.ts';
import { openClusterBackends } from './cluster/backends.ts';
import { localLogTagSecret } from './log-tag.ts';

export interface Backends {
  store: ContentStore;
  presence: Presence;
  /** Keys session tags in logs: LOG_TAG_SECRET, or one kept in DATA_DIR (alone) or shared in Redis (cluster). */
  logTagSecret: string;
  counters: RateCounterFactory;
  lease: Lease;
  /** The Socket.IO `adapter` option. */
  adapter(policy: DeliveryPolicy): NonNullable<ServerOptions['adapter']>;
  /** The shared services' state for /healthz and /readyz (e.g. `redis: "up"`). */
  status(): Record<string, string>;
  /** Broadcasts between nodes work again after an interruption (some may have been lost). */
  onRelayRestored(listener: () => void): void;
  /** After the Socket.IO server closed: stops presence and closes the store and connections. */
  close(): Promise<void>;
}

export async function openBackends(config: Config, deps: { log: Logger; store?: ContentStore }): Promise<Backends> {
  if (config.cluster) return openClusterBackends(config, config.cluster, deps.log);
  const logTagSecret = config.logTagSecret ?? (await localLogTagSecret(config.dataDir));
  const store = deps.store ?? new DiskStore(config.dataDir, { fsync: config.storeFsync, directIo: config.storeDirectIo, log: deps.log });
  await store.open();
  const presence = new MemoryPresence();
  return {
    store,
    presence,
    logTagSecret,
    counters: memoryRateCounters,
    lease: soleLease,
    adapter: (policy) => withBinaryFrames(Adapter, (packet) => policy.recipients(packet)),
    status: () => ({}),
    onRelayRestored: () => undefined, // one node: nothing relays between nodes
    close: async () => {
      await presence.close();
      await store.close();
    },
  };
}
