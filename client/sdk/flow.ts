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
