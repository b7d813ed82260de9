/**
 * Flow-control primitives: a FIFO counting semaphore (chunks in flight,
 * uploads in progress) and abort-aware waiting. No timers, no polling.
 */

/** Rejects with `signal.reason` as soon as the signal aborts, else settles like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
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
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
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
      const onAbort = () => waiter.reject(signal!.reason);
      const done = () => {
        this.#waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
