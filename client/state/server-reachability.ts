/**
 * Whether the server answers, while the start page shows: before a session
 * there is no connection to tell, and an app opened from the service
 * worker's cache with the server down (or the device offline) should say so
 * at once rather than only when the person tries to join. Checks again when
 * the browser reports the network back, and every few seconds meanwhile, so
 * the message goes away by itself when the server is back.
 * A Lit ReactiveController: every change asks the host to render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ReachabilityHooks {
  /** The server's origin. */
  server(): string;
  /** Whether to check now: only on the start page (in a session, the connection itself tells). */
  active(): boolean;
}

/** offline: the browser knows it has no network; unreachable: the server did not answer. */
export type Reachability = 'unknown' | 'reachable' | 'unreachable' | 'offline';

const RECHECK_MS = 5000;

export class ServerReachability implements ReactiveController {
  state: Reachability = 'unknown';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #checking = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: ReachabilityHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('online', this.#check);
    addEventListener('offline', this.#check);
    void this.#check();
  }

  hostDisconnected(): void {
    removeEventListener('online', this.#check);
    removeEventListener('offline', this.#check);
    clearTimeout(this.#timer);
  }

  /** Back on the start page (after leaving, or a failed join): look again if the last answer was no. */
  hostUpdated(): void {
    if (this.state !== 'reachable' && this.#timer === undefined && !this.#checking && this.hooks.active()) void this.#check();
  }

  #check = async (): Promise<void> => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.hooks.active() || this.#checking) return;
    this.#checking = true;
    const state = navigator.onLine === false ? 'offline' : await this.#probe();
    this.#checking = false;
    if (state !== 'reachable' && state !== 'offline') this.#timer = setTimeout(this.#check, RECHECK_MS);
    if (state !== this.state) {
      this.state = state;
      this.host.requestUpdate();
    }
  };

  /**
   * Any answer will do, so an opaque (no-cors) one from a server on another
   * origin counts too. /healthz, not /readyz: the server takes /readyz
   * requests for a load balancer's checks and paces its shutdown by them.
   */
  async #probe(): Promise<Reachability> {
    try {
      await fetch(new URL('/healthz', this.hooks.server()), { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
      return 'reachable';
    } catch {
      return 'unreachable';
    }
  }
}
