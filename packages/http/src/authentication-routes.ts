import { BadRequest, NotAuthenticated, type AuthenticationService } from '@org/core';
import type { HttpRoute } from './http-route.ts';
import { jsonResponse } from './http-response.ts';
import type { LoginRateLimiter } from './login-rate-limit.ts';

/** The part of the authentication service the transport calls. */
export type TransportAuthentication = Pick<
  AuthenticationService,
  'create' | 'remove' | 'parse' | 'configuration'
>;

/** What the authentication routes need. */
export interface AuthenticationRouteSettings {
  /** Where they are served (`/authentication`). */
  path: string;
  /** `params.provider` for the service (`rest`). */
  provider: string;
  /** Counts failed logins, when on. */
  limiter: LoginRateLimiter | undefined;
}

/**
 * `POST` (login, Feathers' `create`: 201 with the authentication result) and `DELETE` (logout with the
 * request's own token, Feathers' `remove(null)`: 200 with the result; the token is revoked) on one path.
 *
 * @param auth - The authentication service.
 * @param settings - Path, provider and limiter.
 */
export function authenticationRoutes(
  auth: TransportAuthentication,
  settings: AuthenticationRouteSettings,
): HttpRoute[] {
  const { path, provider, limiter } = settings;
  return [
    {
      method: 'POST',
      path,
      async handler(request) {
        const data = await request.json();
        if (typeof data.strategy !== 'string' || data.strategy === '') {
          throw new BadRequest('The request body needs a `strategy` (for example "local" or "jwt")', {
            reason: 'invalid-body',
          });
        }
        const attempt = await limiter?.begin(data, request.remoteAddress);
        let result;
        try {
          result = await auth.create(data, { provider, headers: { ...request.headers } });
        } catch (error) {
          await attempt?.failed(error);
          throw error;
        }
        await attempt?.succeeded();
        return jsonResponse(201, result);
      },
    },
    {
      method: 'DELETE',
      path,
      async handler(request) {
        // As Feathers' REST transport: the caller's credentials come from the request (the header),
        // parsed by parseStrategies (else authStrategies); never a token in the URL (invariant 9).
        const { parseStrategies, authStrategies } = auth.configuration;
        const authentication = await auth.parse(request.raw, ...(parseStrategies ?? authStrategies ?? []));
        if (authentication === null) {
          throw new NotAuthenticated('Not authenticated', { reason: 'no-credentials' });
        }
        const result = await auth.remove(null, { provider, authentication, headers: { ...request.headers } });
        return jsonResponse(200, result);
      },
    },
  ];
}
