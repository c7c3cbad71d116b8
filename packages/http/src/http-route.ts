import type { HttpMethod, HttpRequest } from './http-request.ts';
import type { HttpResponse } from './http-response.ts';

/**
 * A route of the transport: the built-in ones (`POST`/`DELETE /authentication`, the JWKS) and any a
 * package contributes through {@link HttpTransportOptions.routes}, served the same way on every host.
 *
 * A route answers its methods on its path; another method on that path gets a 405 with `Allow`, `HEAD`
 * runs a `GET` route without the body, and `OPTIONS` answers 204 with `Allow` unless a route declares it.
 * A handler that throws gets the error's Feathers JSON (`httpErrorResponse`).
 *
 * @example
 * ```ts
 * const callback: HttpRoute = {
 *   method: 'GET',
 *   path: '/oauth/:provider/callback',
 *   async handler(request) {
 *     const state = request.cookies.oauth_state;
 *     // ... exchange request.query.get('code') for a one-time code
 *     return redirectResponse(`/login#code=${oneTimeCode}`, 302, {
 *       'set-cookie': serializeCookie('oauth_state', '', { maxAge: 0, path: '/oauth' }),
 *     });
 *   },
 * };
 * ```
 */
export interface HttpRoute {
  /** The method or methods it answers. */
  method: HttpMethod | readonly HttpMethod[];
  /**
   * The path pattern: `/`-separated literal segments and `:name` parameters matching one non-empty
   * segment (`/oauth/:provider/callback`), relative to where the transport is mounted. Matching is
   * exact: case-sensitive, no trailing slash.
   */
  path: string;
  /**
   * Answers a request; may throw an `AuthError` (sent as its JSON) or anything else (a generic 500).
   * @param request - The request, with `params` from the pattern.
   */
  handler(request: HttpRequest): HttpResponse | Promise<HttpResponse>;
}
