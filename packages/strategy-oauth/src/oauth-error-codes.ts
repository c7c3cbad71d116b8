import { isAuthError, type ErrorReason } from '@org/core';

/**
 * The fixed vocabulary of `?error=` codes a login sends the browser back with, and what each means. Nothing
 * else ever reaches the front end: a provider's own `error_description` is never echoed (it is text an
 * attacker can choose), and the front end shows its own message per code.
 */
export const OAUTH_ERROR_CODES = {
  access_denied: 'The user declined at the provider.',
  provider_error: 'The provider answered with an error.',
  invalid_state:
    'The login expired, was started in another browser, or its answer was already used: start again.',
  invalid_redirect: 'The requested redirect is not a path on an allowed origin.',
  login_failed: "The provider's answer did not verify (token exchange, ID token or profile).",
  provider_unavailable: 'The provider could not be reached.',
  account_conflict: 'This provider account is already linked to another user.',
  not_authenticated: 'Linking needs a logged-in user.',
  server_error: 'Something failed on the server.',
} as const;

/** One of the {@link OAUTH_ERROR_CODES}. */
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_CODES;

/** The code for each error reason that maps to something other than `server_error`. */
const BY_REASON: Partial<Record<ErrorReason, OAuthErrorCode>> = {
  'invalid-state': 'invalid_state',
  'invalid-redirect': 'invalid_redirect',
  'invalid-credentials': 'login_failed',
  'claim-invalid': 'login_failed',
  'provider-unavailable': 'provider_unavailable',
  conflict: 'account_conflict',
  'entity-not-found': 'not_authenticated',
  'no-credentials': 'not_authenticated',
};

/**
 * The `?error=` code for a failed login.
 * @param error - What the login threw.
 * @returns A code of {@link OAUTH_ERROR_CODES}; `server_error` for anything unexpected.
 */
export function oauthErrorCode(error: unknown): OAuthErrorCode {
  return isAuthError(error) ? (BY_REASON[error.reason] ?? 'server_error') : 'server_error';
}
