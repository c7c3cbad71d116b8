import type { HttpRoute } from './http-route.ts';

/**
 * What the transport serves the JWKS with: `@org/strategy-jwt`'s `JwksEndpoint` (over a key ring) has
 * this shape, so the transport serves it without depending on the JWT package.
 */
export interface JwksResponder {
  /**
   * Answers one request to the JWKS path.
   * @param method - `GET` or `HEAD`.
   * @param ifNoneMatch - The `If-None-Match` header, if any.
   */
  respond(
    method: string | undefined,
    ifNoneMatch?: string | readonly string[],
  ): { status: number; headers: Record<string, string>; body: Uint8Array };
}

/** The path the JWKS is conventionally served at (RFC 8615 well-known URI). */
export const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';

/**
 * The JWKS route: `GET`/`HEAD` answered by the responder (public members only, `ETag`, `304`,
 * `Cache-Control` bounded by the next key change), other methods a 405 like every route.
 * @param responder - A `JwksEndpoint`.
 * @param path - Where to serve it.
 */
export function jwksRoute(responder: JwksResponder, path: string): HttpRoute {
  return {
    method: ['GET', 'HEAD'],
    path,
    handler(request) {
      const { status, headers, body } = responder.respond(request.method, request.headers['if-none-match']);
      const lower = Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
      );
      return { status, headers: lower, body };
    },
  };
}
