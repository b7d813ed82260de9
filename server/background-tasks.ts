/**
 * Work an event starts that nobody awaits (releasing an upload, telling a
 * session someone left): failures are logged, and a closing app waits for
 * what is still running before it lets go of its store and Redis.
 */
import { describeError, type Logger } from './log.ts';

export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  /** Starts `task` now; `name` says what failed in the log. */
  run(name: string, task: () => Promise<unknown>): void {
    const running = task()
      .catch((error: unknown) => this.log.warn(`${name} failed`, { error: describeError(error) }))
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Resolves once everything started so far (and what it started) has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
