import { toAuthError, type ErrorJSON } from './errors.ts';
import { bearerChallenge } from './www-authenticate.ts';

/** An error response, framework-neutral: copy it onto your reply. */
export interface ErrorResponse {
  /** The HTTP status (the error's `code`). */
  status: number;
  /** Lower-case header names: `content-type`, and where they apply `www-authenticate`, `allow`, `retry-after`. */
  headers: Record<string, string>;
  /** Feathers' error JSON (`name`, `message`, `code`, `className`, `data`); no stack, no cause. */
  body: ErrorJSON;
}

/** Error data members that HTTP carries as a header too (RFC 9110 sections 10.2.1 and 10.2.3). */
const DATA_HEADERS = { allow: 'allow', retryAfter: 'retry-after' } as const;

/**
 * Turns any thrown value into the response a client should get: {@link toAuthError} first (so anything
 * unexpected is a generic 500 whose cause never leaves the server), then its status, Feathers' JSON body,
 * an RFC 6750 `WWW-Authenticate` challenge on a 401, `Allow` on a 405 and `Retry-After` on a 429.
 *
 * @param error - Whatever was thrown.
 * @param realm - The RFC 6750 realm of the challenge (`'api'` when not given).
 * @returns The status, headers and body to send.
 * @example
 * ```ts
 * app.get('/me', async (req, res) => {
 *   try {
 *     res.json(await requireUser(req));
 *   } catch (caught) {
 *     const { status, headers, body } = errorResponse(caught);
 *     res.status(status).set(headers).json(body);
 *   }
 * });
 * ```
 */
export function errorResponse(error: unknown, realm = 'api'): ErrorResponse {
  const authError = toAuthError(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const challenge = bearerChallenge(authError, realm);
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  for (const [member, header] of Object.entries(DATA_HEADERS)) {
    const value = authError.data[member];
    if (typeof value === 'string' || typeof value === 'number') headers[header] = String(value);
  }
  return { status: authError.code, headers, body: authError.toJSON() };
}
