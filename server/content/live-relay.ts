/**
 * Live content through a slow or failing store: an announced item that is
 * not stored within LIVE_RELAY_AFTER_MS of its arrival (Redis stalled or
 * down) is relayed to the sender's fellow members on this node at once, so a
 * live room keeps working; the other nodes get it once it is stored, and
 * receivers dedupe by content id. Scheduled on arrival, so an announce
 * queued behind a slow one is on time too.
 */
export const LIVE_RELAY_AFTER_MS = 15;

export class LiveRelay {
  private sentLive = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly emit: () => void) {
    this.timer = setTimeout(() => this.send(), LIVE_RELAY_AFTER_MS);
  }

  /** Relays it now (the store cannot take it for now). */
  send(): void {
    clearTimeout(this.timer);
    if (this.sentLive) return;
    this.sentLive = true;
    this.emit();
  }

  /** Stored (or refused) before the timer: nothing was relayed live. */
  settle(): void {
    clearTimeout(this.timer);
  }

  /** Whether this node's members already have it. */
  get sent(): boolean {
    return this.sentLive;
  }
}
