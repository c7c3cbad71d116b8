import type { AuthError } from './errors.ts';
import type { ErrorReason } from './reasons.ts';

/**
 * The reasons that mean the request carried no token at all: RFC 6750 section 3.1 says such a challenge
 * "SHOULD NOT include an error code", whichever layer noticed the absence (the guard's parse, or a
 * strategy given `{ strategy: 'jwt' }` without an `accessToken`).
 */
const NO_TOKEN_REASONS: ReadonlySet<ErrorReason> = new Set<ErrorReason>(['no-credentials', 'token-missing']);

/** RFC 6750 section 3: quoted values allow %x20-21 / %x23-5B / %x5D-7E only (no `"`, no `\`, ASCII). */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/**
 * The RFC 6750 `WWW-Authenticate` challenge for an error response, or `undefined` for anything but a 401.
 *
 * A request that carried no token (reason `no-credentials` or `token-missing`) gets the bare challenge,
 * as section 3.1 asks ("SHOULD NOT include an error code"); any other 401 gets `error="invalid_token"`
 * with the error's (already safe) message as `error_description`.
 *
 * @param error - The error being sent.
 * @param realm - The protection space.
 * @returns The header value, e.g. `Bearer realm="api", error="invalid_token", error_description="jwt expired"`.
 * @example
 * ```ts
 * bearerChallenge(new NotAuthenticated('Not authenticated', { reason: 'no-credentials' }), 'api');
 * // 'Bearer realm="api"'
 * ```
 */
export function bearerChallenge(error: AuthError, realm: string): string | undefined {
  if (error.code !== 401) return undefined;
  const challenge = `Bearer realm=${quoted(realm)}`;
  if (NO_TOKEN_REASONS.has(error.reason)) return challenge;
  return `${challenge}, error="invalid_token", error_description=${quoted(error.message)}`;
}
