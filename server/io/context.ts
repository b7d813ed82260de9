/** What every handler needs, created once per node by createApp. */
import type { BackgroundTasks } from '../background-tasks.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { SessionTagger } from '../log-tag.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Limits } from '../limits/limits.ts';
import type { Presence } from '../sessions/presence.ts';
import type { Uploads } from '../content/uploads.ts';
import type { SlowReceivers } from '../content/slow-receivers.ts';
import type { ContentStore } from '../store/content-store.ts';
import type { JoinGuard } from '../sessions/join-guard.ts';
import type { IoServer } from './types.ts';

export interface HandlerContext {
  io: IoServer;
  config: Config;
  log: Logger;
  /** The short, keyed tag that stands for a session id in log lines. */
  sessionTag: SessionTagger;
  metrics: Metrics;
  limits: Limits;
  presence: Presence;
  store: ContentStore;
  uploads: Uploads;
  slowReceivers: SlowReceivers;
  joinGuard: JoinGuard;
  background: BackgroundTasks;
}
