import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse } from './error-response.ts';
import { toAuthError } from './errors.ts';
import {
  authenticateRequest,
  authenticateRequestFromCache,
  notifyError,
  resolveAuthenticateOptions,
  type AuthenticateOptions,
  type GuardedAuthentication,
} from './guard.ts';

/** A Connect-style middleware (Express, Connect, Polka, a plain `http` server). */
export type ConnectMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

// Calls `next()`, handing it what the rest of the chain throws, as Connect does.
function proceed(next: (error?: unknown) => void): void {
  try {
    next();
  } catch (error) {
    next(error);
  }
}

/**
 * Creates a Connect-style middleware that authenticates the request ({@link authenticate}) and calls
 * `next()`, or answers the error itself: its status, `toJSON()` body, and on a 401 an RFC 6750
 * `WWW-Authenticate` header.
 *
 * @param auth - The authentication service.
 * @param settings - A strategy name, or {@link AuthenticateOptions}.
 * @param strategies - More strategy names.
 * @returns The middleware; on success `req.authentication` and `req.user` (the entity) are set.
 * @throws BadRequest `invalid-configuration` (at creation) without a strategy.
 * @example
 * ```ts
 * app.get('/me', authenticateMiddleware(auth, 'jwt'), (req, res) => res.json(req.user));
 * ```
 */
export function authenticateMiddleware(
  auth: GuardedAuthentication,
  settings: string | AuthenticateOptions,
  ...strategies: string[]
): ConnectMiddleware {
  const options = resolveAuthenticateOptions(settings, strategies);
  return (req, res, next) => {
    // A request the caches answer goes on at once, with no promise in between.
    if (authenticateRequestFromCache(auth, options, req, req) !== undefined) return proceed(next);
    authenticateRequest(auth, options, req, req).then(
      () => proceed(next),
      (caught: unknown) => {
        const error = toAuthError(caught);
        notifyError(options, error, req);
        const { status, headers, body } = errorResponse(error, options.realm);
        res.statusCode = status;
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        res.end(JSON.stringify(body));
      },
    );
  };
}
