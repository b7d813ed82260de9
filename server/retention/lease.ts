/**
 * The sweeper's lease: in a cluster only the node holding it sweeps (expired
 * sessions, abandoned uploads, deleted objects), so the same work is not done
 * N times over. A lease expires on its own when its holder stops renewing it.
 */
export interface Lease {
  /** Takes the lease, or renews it if held; false when another node holds it. */
  hold(): Promise<boolean>;
  /** Gives it up at shutdown, so another node takes over without waiting for it to expire. */
  release(): Promise<void>;
}

/** A single node always holds its own lease. */
export const soleLease: Lease = {
  hold: async () => true,
  release: async () => undefined,
};
