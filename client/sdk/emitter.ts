/**
 * A tiny typed event emitter. Not Node's `events`, so the SDK bundles for
 * browsers as is; a listener that throws is reported asynchronously and cannot
 * break the SDK's own bookkeeping (or the other listeners).
 */
export type Listener<T> = (payload: T) => void;

interface Entry {
  listener: Listener<never>;
  once: boolean;
}

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Entry[]>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, listener, false);
  }

  /** Like `on`, but the listener is removed after its first call. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, listener, true);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const entries = this.#listeners.get(event);
    if (!entries) return;
    const index = entries.findIndex((entry) => entry.listener === listener);
    if (index >= 0) entries.splice(index, 1);
    if (entries.length === 0) this.#listeners.delete(event);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const entries = this.#listeners.get(event);
    if (!entries) return;
    // A copy: listeners may add or remove listeners while we iterate.
    for (const entry of [...entries]) {
      if (entry.once) this.off(event, entry.listener as Listener<Events[K]>);
      try {
        (entry.listener as Listener<Events[K]>)(payload);
      } catch (error) {
        // Surface it (console in browsers, uncaughtException in Node) without unwinding our caller.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #add<K extends keyof Events>(event: K, listener: Listener<Events[K]>, once: boolean): () => void {
    let entries = this.#listeners.get(event);
    if (!entries) this.#listeners.set(event, (entries = []));
    entries.push({ listener: listener as Listener<never>, once });
    return () => this.off(event, listener);
  }
}
