/** What every command is given: where to print, when to stop, and the process's environment and stdin. */
import type { Readable } from 'node:stream';
import { CliError, EXIT } from './exit-codes.ts';
import type { Output } from './output.ts';

export interface CommandContext {
  output: Output;
  /** Aborted by the first Ctrl-C (SIGINT) or SIGTERM: finish the current write, keep what resumes, exit 130. */
  interrupt: AbortSignal;
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  /** stderr is a terminal: draw progress bars and the QR code. */
  terminal: boolean;
}

export const interrupted = () => new CliError(EXIT.INTERRUPTED, 'Interrupted', 'INTERRUPTED');

/** Rejects with `interrupted()` once `signal` aborts; for racing waits that have no signal of their own. */
export function untilInterrupted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(interrupted());
    else signal.addEventListener('abort', () => reject(interrupted()), { once: true });
  });
}
