import { Conflict, Unavailable, toAuthError, type AuthError } from '@org/core';

// Node socket errors and PostgreSQL SQLSTATEs meaning "the server is not reachable right now":
// class 08 (connection exception), 53 (insufficient resources), 57P01-57P05 (shutdown, crash, cannot
// connect now, idle timeouts).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const SQLSTATE_UNAVAILABLE = /^(08...|53...|57P0[1-5])$/;
// pg and pg-pool report some connection failures as plain Errors without a code.
const MESSAGES_UNAVAILABLE =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed/i;

/** True when the error means the database cannot be reached (as opposed to a bad statement). */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return typeof message === 'string' && MESSAGES_UNAVAILABLE.test(message);
}

/**
 * Maps a pg error to a toolkit error: a unique violation (23505) names the field (never the value), an
 * unreachable database is a 503 `store-unavailable`, anything else a 500 with the cause kept server-side.
 *
 * @param fieldOfConstraint - The record field guarded by a constraint or index name.
 */
export function toStoreError(error: unknown, fieldOfConstraint: (constraint: string) => string): AuthError {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (code === '23505') {
    const field = fieldOfConstraint(typeof constraint === 'string' ? constraint : '');
    return new Conflict(`A record with this ${field} already exists`, { cause: error });
  }
  if (isUnavailable(error)) {
    return new Unavailable('The PostgreSQL database is unavailable', {
      reason: 'store-unavailable',
      cause: error,
    });
  }
  return toAuthError(error);
}
