/** What every handler needs, created once per server. */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Limits } from '../limits/limits.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { Uploads } from '../content/uploads.ts';
import type { ContentStore } from '../store/content-store.ts';
import type { JoinGuard } from '../sessions/join-guard.ts';
import type { IoServer } from './types.ts';

export interface HandlerContext {
  io: IoServer;
  config: Config;
  log: Logger;
  metrics: Metrics;
  limits: Limits;
  sessions: SessionRegistry;
  store: ContentStore;
  uploads: Uploads;
  joinGuard: JoinGuard;
}
