/**
 * Transfer progress: bars on stderr when it is a terminal (cli-progress), a
 * `progress` event at most once a second per item with --json, and nothing
 * otherwise (a log file gets the final "saved"/"shared" lines only).
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import { formatBytes, formatSpeed } from '../state/format.ts';
import { TransferRate } from '../state/transfer-rate.ts';
import type { Output } from './output.ts';

const JSON_INTERVAL_MS = 1000;

interface Entry {
  bar: SingleBar | undefined;
  rate: TransferRate;
  total: number;
  lastEvent: number;
}

export class Progress {
  readonly #entries = new Map<string, Entry>();
  readonly #bars: MultiBar | undefined;
  #drawn = false;

  constructor(
    private readonly output: Output,
    private readonly direction: 'upload' | 'download',
    drawBars: boolean,
  ) {
    if (!drawBars) return;
    this.#bars = new MultiBar({
      stream: output.stderr,
      format: ' {bar} {percentage}% | {done} of {size} | {speed} | {name}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      etaBuffer: 20,
    });
    output.logSink = (line) => this.#bars?.log(line);
  }

  /** A transfer of `total` bytes begins at `from` (a resumed download). */
  start(contentId: string, name: string, total: number, from = 0): void {
    this.#drawn ||= this.#bars !== undefined;
    const bar = this.#bars?.create(Math.max(total, 1), from, { name, done: formatBytes(from), size: formatBytes(total), speed: '' });
    this.#entries.set(contentId, { bar, rate: new TransferRate(), total, lastEvent: 0 });
  }

  update(contentId: string, bytes: number): void {
    const entry = this.#entries.get(contentId);
    if (!entry) return;
    const { bytesPerSecond } = entry.rate.update(this.direction, bytes, entry.total);
    entry.bar?.update(bytes, { done: formatBytes(bytes), speed: bytesPerSecond === undefined ? '' : formatSpeed(bytesPerSecond) });
    const now = Date.now();
    if (this.output.json && now - entry.lastEvent >= JSON_INTERVAL_MS) {
      entry.lastEvent = now;
      this.output.event('progress', { contentId, direction: this.direction, bytes, total: entry.total });
    }
  }

  /** The transfer is over (done or failed): its bar stays as it is. */
  finish(contentId: string): void {
    const entry = this.#entries.get(contentId);
    entry?.bar?.stop();
    this.#entries.delete(contentId);
  }

  /** Stops drawing; lines for people go straight to stderr again. */
  close(): void {
    if (this.#drawn) this.#bars?.stop(); // (stopping bars never drawn would still write terminal codes)
    this.output.logSink = undefined;
  }
}
