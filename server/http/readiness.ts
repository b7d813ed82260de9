/**
 * Readiness for a load balancer: /readyz answers 200 while the node takes
 * new connections and 503 once it drains. On SIGTERM the node keeps serving
 * while the proxy's health checks see the 503: at the first one it tells its
 * clients a restart is coming (they then retry quickly), and once the proxy
 * has marked it down (HAProxy's `fall`, 2 checks) it closes their
 * connections, which the proxy sends elsewhere.
 */
export class Readiness {
  private draining = false;
  /** Whether anything (a proxy's health check) asks /readyz at all. */
  private checked = false;
  private refusals = 0;
  private readonly waiting = new Set<() => void>();

  /** The answer to a /readyz request. */
  answer(): { ready: boolean } {
    this.checked = true;
    if (!this.draining) return { ready: true };
    this.refusals += 1;
    for (const wake of this.waiting) wake();
    return { ready: false };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Answers 503 from now on, and resolves once health checks have seen it
   * `checks` times, or at `deadline` (ms since the epoch). Nobody checking
   * (no proxy in front): at once.
   */
  refusedTimes(checks: number, deadline: number): Promise<void> {
    this.draining = true;
    if (!this.checked || this.refusals >= checks || Date.now() >= deadline) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const wake = () => {
        if (this.refusals >= checks) done();
      };
      const timer = setTimeout(done, deadline - Date.now());
      this.waiting.add(wake);
    });
  }
}
