/**
 * Readiness for a load balancer: /readyz answers 200 while the node takes
 * new connections and 503 once it drains. On SIGTERM the node first drains:
 * it keeps serving while the proxy's health checks see the 503 and stop
 * sending it new clients, and only then asks its clients to move.
 */
export class Readiness {
  private draining = false;
  /** Whether anything (a proxy's health check) asks /readyz at all. */
  private checked = false;
  private refusals = 0;
  private wake: (() => void) | undefined;

  /** The answer to a /readyz request. */
  answer(): { ready: boolean } {
    this.checked = true;
    if (!this.draining) return { ready: true };
    this.refusals += 1;
    this.wake?.();
    return { ready: false };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Starts answering 503 and resolves once health checks have seen it
   * `checks` times (HAProxy's `fall`), or after `timeoutMs`. Nobody checking
   * (no proxy in front): resolves at once.
   */
  drain(timeoutMs: number, checks = 2): Promise<void> {
    this.draining = true;
    if (!this.checked || timeoutMs === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wake = () => {
        if (this.refusals >= checks) done();
      };
      this.wake();
    });
  }
}
