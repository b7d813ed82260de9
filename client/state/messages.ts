/**
 * Everything the UI says about an error, in one place: each protocol code
 * gets a sentence a person can act on.
 */
import type { ErrorCode } from '../sdk/index.ts';
import { formatDuration } from './format.ts';

export interface ErrorLike {
  code?: string;
  retryAfterMs?: number | undefined;
}

const JOIN_TEXT: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'Wrong passphrase for this session. Check it (it is case-sensitive) and try again.',
  NOT_FOUND: 'There is no session with this id (or it has expired). Check the id, or start a new session.',
  SESSION_FULL: 'This session is full. Ask someone to leave it, or start a new session.',
  UNAVAILABLE: 'Cannot reach the server. Check your connection and try again.',
  INVALID_PAYLOAD: 'Check the session id (letters, digits, "-" and "_") and your name.',
};

const TEXT: Record<ErrorCode, string> = {
  INVALID_PAYLOAD: 'That could not be sent: the server refused it as malformed.',
  UNKNOWN_EVENT: 'The server does not support this action.',
  NOT_IN_SESSION: 'You are not in this session any more. Join it again.',
  PAYLOAD_TOO_LARGE: 'This file is larger than the server accepts.',
  RATE_LIMITED: 'Too many attempts.',
  UNAUTHORIZED: 'Wrong passphrase for this session.',
  SESSION_FULL: 'This session is full.',
  QUOTA_EXCEEDED: "This session's storage is full. Remove some items and try again.",
  NOT_FOUND: 'That item is gone: it was removed or has expired.',
  CONFLICT: 'That item is already being read.',
  INTEGRITY: 'This item failed its integrity check and was discarded. Ask for it to be shared again.',
  CANCELLED: 'Cancelled.',
  UNAVAILABLE: 'The connection to the server was lost.',
  INTERNAL: 'The server had a problem. Try again in a moment.',
};

function retryText(error: ErrorLike): string {
  const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 60_000) / 1000));
  return `Too many attempts. Try again in ${formatDuration(seconds)}.`;
}

function codeOf(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
}

/** What to say when joining failed. */
export function joinErrorText(error: unknown): string {
  const e = codeOf(error);
  if (e.code === 'RATE_LIMITED') return retryText(e);
  return JOIN_TEXT[e.code as ErrorCode] ?? errorText(error);
}

/** What to say about any other failure. */
export function errorText(error: unknown): string {
  const e = codeOf(error);
  if (e.code === 'RATE_LIMITED') return retryText(e);
  if (e.code && e.code in TEXT) return TEXT[e.code as ErrorCode];
  return 'Something went wrong. Try again.';
}
