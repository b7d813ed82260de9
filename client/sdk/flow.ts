/**
 * Flow-control primitives: a FIFO counting semaphore (chunks in flight,
 * uploads in progress) and abort-aware waiting. No timers, no polling.
 */

interface AbortFanOut {
  readonly listeners: Set<() => void>;
  readonly dispatch: () => void;
}

const fanOuts = new WeakMap<AbortSignal, AbortFanOut>();

/**
 * Calls `listener` once when `signal` aborts (at once if it has); returns the
 * function that takes it back. Many wait on one signal at a time (every
 * upload on the connection-lost signal, every chunk in flight on its
 * upload's), so the signal itself carries one listener that fans out, removed
 * with the last one taken back: Node warns of a leak from 11 listeners
 * (MaxListenersExceededWarning), and these are bounded only by the windows.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let fanOut = fanOuts.get(signal);
  if (!fanOut) {
    const listeners = new Set<() => void>();
    const dispatch = () => {
      fanOuts.delete(signal);
      // One taken back by an earlier one during the dispatch is not called, as with addEventListener.
      for (const each of [...listeners]) if (listeners.delete(each)) each();
    };
    fanOut = { listeners, dispatch };
    fanOuts.set(signal, fanOut);
    signal.addEventListener('abort', dispatch, { once: true });
  }
  const { listeners, dispatch } = fanOut;
  const entry = () => listener(); // its own identity: the same function may be added twice
  listeners.add(entry);
  return () => {
    if (!listeners.delete(entry) || listeners.size > 0 || fanOuts.get(signal)?.listeners !== listeners) return;
    fanOuts.delete(signal);
    signal.removeEventListener('abort', dispatch);
  };
}

/** Rejects with `signal.reason` as soon as the signal aborts, else settles like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const off = onAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        off();
        resolve(value);
      },
      (error: unknown) => {
        off();
        reject(error);
      },
    );
  });
}

interface Waiter {
  grant(): void;
}

export class Semaphore {
  #free: number;
  readonly #waiters: Waiter[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('semaphore size must be a positive integer');
    this.#free = size;
  }

  get available(): number {
    return this.#free;
  }

  /** Resolves when a slot is ours; FIFO so concurrent uploads take turns. Rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          off();
          resolve();
        },
      };
      this.#waiters.push(waiter);
      const off = signal ? onAbort(signal, () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal.reason);
      }) : () => {};
    });
  }

  /** Hands the slot straight to the oldest waiter, if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#free = Math.min(this.size, this.#free + 1);
  }
}

/**
 * A door that is open (the session is joined on the current connection) or
 * closed (connecting, re-joining). Waiters pass once it opens; they are
 * refused if it fails (the session is over) or their signal aborts.
 */
export class Gate {
  #open = false;
  #error: Error | undefined;
  readonly #waiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();

  get isOpen(): boolean {
    return this.#open;
  }

  open(): void {
    this.#open = true;
    this.#error = undefined;
    for (const waiter of [...this.#waiters]) waiter.resolve();
  }

  close(): void {
    this.#open = false;
  }

  /** Refuses everyone waiting, and every later waiter until reset(). */
  fail(error: Error): void {
    this.#open = false;
    this.#error = error;
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }

  /** Closed again, with no failure: a new session is being joined. */
  reset(): void {
    this.#open = false;
    this.#error = undefined;
  }

  ready(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#open) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (error: unknown) => {
          done();
          reject(error);
        },
      };
      let off = () => {};
      const done = () => {
        this.#waiters.delete(waiter);
        off();
      };
      this.#waiters.add(waiter);
      if (signal) off = onAbort(signal, () => waiter.reject(signal.reason));
    });
  }
}
