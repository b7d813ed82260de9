/**
 * The closed set of error codes the server answers with. Clients map codes to
 * human text in one place (client side); the server never sends stack traces.
 */
export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNKNOWN_EVENT',
  'NOT_IN_SESSION',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'SESSION_FULL',
  'QUOTA_EXCEEDED',
  'NOT_FOUND',
  'CONFLICT',
  'INTEGRITY',
  'CANCELLED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** An error that carries a protocol error code; safe to show to the peer. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  /** With RATE_LIMITED: how long to wait before trying again. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}
