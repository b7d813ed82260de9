/**
 * The one error type the SDK reports: a protocol ErrorCode the UI can map to
 * text, plus the item it concerns when there is one.
 */
import { ProtocolError, isErrorCode } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/errors.ts';

export interface ShareErrorOptions {
  retryAfterMs?: number;
  contentId?: string;
  cause?: unknown;
}

export class ShareError extends ProtocolError {
  /** The item this error is about, when it is about one. */
  readonly contentId: string | undefined;

  constructor(code: ErrorCode, message: string, options: ShareErrorOptions = {}) {
    super(code, message, options.retryAfterMs);
    this.name = 'ShareError';
    this.contentId = options.contentId;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** A failed ack as an error; an unknown code from a misbehaving server becomes INTERNAL. */
export function ackError(failure: Record<string, unknown>, contentId?: string): ShareError {
  const code = isErrorCode(failure['code']) ? failure['code'] : 'INTERNAL';
  const message = typeof failure['error'] === 'string' ? failure['error'] : 'The server refused the request';
  const retry = failure['retryAfterMs'];
  return new ShareError(code, message, {
    contentId,
    ...(typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? { retryAfterMs: retry } : {}),
  });
}

/**
 * Keeps the code of a ProtocolError (crypto and validation throw those) and
 * gives anything else `fallback`, so callers can always switch on `.code`.
 */
export function toShareError(error: unknown, fallback: ErrorCode, contentId?: string): ShareError {
  if (error instanceof ShareError && (contentId === undefined || error.contentId === contentId)) return error;
  if (error instanceof ProtocolError) {
    return new ShareError(error.code, error.message, { contentId, cause: error, ...retryOf(error) });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ShareError(fallback, message, { contentId, cause: error });
}

function retryOf(error: ProtocolError): { retryAfterMs?: number } {
  return error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
}

export const cancelledError = (contentId?: string, message = 'The transfer was cancelled'): ShareError =>
  new ShareError('CANCELLED', message, { contentId });
