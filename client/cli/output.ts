/**
 * Everything the CLI prints. Words for people go to stderr; stdout carries
 * only data: texts received, or with --json one JSON object per line for
 * every event (README.md lists their shapes).
 */
import type { Writable } from 'node:stream';

export interface OutputStreams {
  stdout: Writable;
  stderr: Writable;
}

export class Output {
  /** Set while progress bars are drawn: lines for people must go above them. */
  logSink: ((line: string) => void) | undefined;

  constructor(
    readonly json: boolean,
    readonly quiet: boolean,
    private readonly streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** The stream progress bars and prompts draw on. */
  get stderr(): Writable {
    return this.streams.stderr;
  }

  /** A line for a person, on stderr; nothing with --json or --quiet. */
  say(line: string): void {
    if (this.json || this.quiet) return;
    this.#stderr(line);
  }

  /** A warning for a person, on stderr even with --quiet; with --json a `warning` event instead. */
  warn(line: string): void {
    if (this.json) this.event('warning', { message: line });
    else this.#stderr(line);
  }

  /** One event: a JSON line on stdout with --json, nothing otherwise. */
  event(name: string, fields: Record<string, unknown> = {}): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify({ event: name, ...fields })}\n`);
  }

  /** What the command produces for a pipe (a received text), on stdout; not with --json (its event carries it). */
  data(text: string): void {
    if (!this.json) this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The reason the command failed: an `error` event with --json, else a line on stderr. */
  failure(fields: { code: string; exitCode: number; message: string }): void {
    if (this.json) this.event('error', fields);
    else this.#stderr(`sharethings: ${fields.message}`);
  }

  #stderr(line: string): void {
    if (this.logSink) this.logSink(`${line}\n`);
    else this.streams.stderr.write(`${line}\n`);
  }
}
