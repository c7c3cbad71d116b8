import type { IncomingMessage, ServerResponse } from 'node:http';
import { JWKS_PATH, JwksEndpoint, type JwksEndpointOptions } from './jwks-endpoint.ts';
import type { JwksSource } from './jwks-source.ts';

/** A plain Node request handler serving the JWKS, with `close()` to stop following the source. */
export interface JwksRequestHandler {
  /** Answers the request, whatever its path (mount it where it belongs). */
  (req: IncomingMessage, res: ServerResponse): void;
  /** Stops listening to the source's changes. */
  close(): void;
}

/** A Connect/Express-style middleware serving the JWKS on its path, with `close()`. */
export interface JwksMiddleware {
  /** Serves the JWKS when the path matches, otherwise calls `next()`. */
  (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: (err?: unknown) => void): void;
  /** Stops listening to the source's changes. */
  close(): void;
}

function send(endpoint: JwksEndpoint, req: IncomingMessage, res: ServerResponse): void {
  const { status, headers, body } = endpoint.respond(req.method, req.headers['if-none-match']);
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * A plain Node `(req, res)` handler for `/.well-known/jwks.json`: public members only,
 * `application/jwk-set+json`, `Cache-Control` bounded by the next key change, a strong `ETag`,
 * 304 on `If-None-Match`, HEAD, and 405 for other methods.
 *
 * @param source - The key ring (or any {@link JwksSource}).
 * @param options - Cache lifetime cap and clock.
 * @throws BadRequest `invalid-configuration` on a bad source or option.
 * @example
 * ```ts
 * const jwks = jwksHandler(keyRing, { maxAge: 600 });
 * http.createServer((req, res) => {
 *   if (req.url === '/.well-known/jwks.json') return jwks(req, res);
 *   // ...
 * });
 * ```
 */
export function jwksHandler(source: JwksSource, options: JwksEndpointOptions = {}): JwksRequestHandler {
  const endpoint = new JwksEndpoint(source, options);
  return Object.assign((req: IncomingMessage, res: ServerResponse) => send(endpoint, req, res), {
    close: () => endpoint.close(),
  });
}

function pathname(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * A Connect/Express-style middleware serving the JWKS (see {@link jwksHandler}) on `options.path`;
 * other requests go to `next()`. Works mounted (`app.use('/.well-known/jwks.json', mw)`) or not.
 *
 * @param source - The key ring (or any {@link JwksSource}).
 * @param options - Path, cache lifetime cap and clock.
 * @throws BadRequest `invalid-configuration` on a bad source or option.
 * @example
 * ```ts
 * app.use(jwksMiddleware(keyRing));
 * ```
 */
export function jwksMiddleware(source: JwksSource, options: JwksEndpointOptions = {}): JwksMiddleware {
  const endpoint = new JwksEndpoint(source, options);
  const path = options.path ?? JWKS_PATH;
  return Object.assign(
    (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: (err?: unknown) => void) => {
      if (pathname(req.url) === path || pathname(req.originalUrl) === path) send(endpoint, req, res);
      else next();
    },
    { close: () => endpoint.close() },
  );
}
