/**
 * The exit codes scripts can rely on (client/cli/README.md), and the one
 * error type the commands throw: a code and a sentence for a person.
 */
import { ShareError } from '../sdk/index.ts';
import { joinErrorText, errorText } from '../state/messages.ts';

export const EXIT = {
  OK: 0,
  /** Anything else: the server refused or failed, an item failed its integrity check, a file could not be written. */
  FAILED: 1,
  /** The command line is wrong: unknown option, missing argument, a file to send that cannot be read. */
  USAGE: 2,
  /** Wrong passphrase for the session (or the server refused the access token). */
  UNAUTHORIZED: 3,
  /** No session with this id (or it expired); or an --item that the session does not hold. */
  NOT_FOUND: 4,
  /** The server could not be reached, or the connection was lost for good. */
  UNREACHABLE: 5,
  /** Interrupted (Ctrl-C, SIGINT or SIGTERM); a partial download is kept to resume. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** The protocol code behind it, for --json. */
    readonly code: string = exitCode === EXIT.USAGE ? 'USAGE' : 'FAILED',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const BY_CODE: Partial<Record<ShareError['code'], ExitCode>> = {
  UNAUTHORIZED: EXIT.UNAUTHORIZED,
  NOT_FOUND: EXIT.NOT_FOUND,
  UNAVAILABLE: EXIT.UNREACHABLE,
};

/** Any failure as a CliError; `joining`: it happened while joining, where codes have join-specific words. */
export function toCliError(error: unknown, joining = false): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ShareError) {
    const text = joining ? joinErrorText(error) : errorText(error);
    // The SDK's own words add what the code alone does not say (which file, which chunk).
    const detail = !joining && error.message && !text.includes(error.message) ? ` (${error.message})` : '';
    return new CliError(BY_CODE[error.code] ?? EXIT.FAILED, `${text}${detail}`, error.code);
  }
  const node = error as NodeJS.ErrnoException | undefined;
  if (node?.code && typeof node.message === 'string') return new CliError(EXIT.FAILED, node.message, node.code);
  return new CliError(EXIT.FAILED, error instanceof Error ? error.message : String(error));
}
