/**
 * Speed and time left of one transfer, from its progress reports: bytes over
 * the last few seconds (a sliding window), so a stall shows as a falling
 * speed instead of the average since the start.
 */
const WINDOW_MS = 3000;

export interface TransferProgress {
  direction: 'upload' | 'download';
  bytes: number;
  total: number;
  /** Undefined until there are two samples far enough apart. */
  bytesPerSecond?: number;
  secondsLeft?: number;
}

export class TransferRate {
  readonly #samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  update(direction: TransferProgress['direction'], bytes: number, total: number): TransferProgress {
    const at = this.now();
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[1]!.at > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = (at - first.at) / 1000;
    const progress: TransferProgress = { direction, bytes, total };
    if (elapsed >= 0.25 && bytes > first.bytes) {
      progress.bytesPerSecond = (bytes - first.bytes) / elapsed;
      progress.secondsLeft = Math.max(0, total - bytes) / progress.bytesPerSecond;
    }
    return progress;
  }
}
