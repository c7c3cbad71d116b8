import { MethodNotAllowed, toAuthError, type AuthError, type AuthenticationService } from '@org/core';
import { assertKnownOptions, configError } from '@org/core/internal';
import { authenticationRoutes } from './authentication-routes.ts';
import { clientAddress, compileTrustedProxies } from './client-address.ts';
import { parseCookies } from './cookies.ts';
import type { HttpRequest, HttpRequestInit } from './http-request.ts';
import { httpErrorResponse, type HttpResponse } from './http-response.ts';
import type { HttpRoute } from './http-route.ts';
import { assertJsonContentType, parseJsonObject } from './json-body.ts';
import { DEFAULT_JWKS_PATH, jwksRoute, type JwksResponder } from './jwks-route.ts';
import { LoginRateLimiter, type LoginRateLimitOptions } from './login-rate-limit.ts';
import { compileRoutes, matchRoute, type RouteEntry } from './route-table.ts';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /**
   * Where login (`POST`) and logout (`DELETE`) are served.
   * @defaultValue `'/authentication'`
   */
  path?: string;
  /**
   * The largest request body read, in bytes; a larger one is a 413 without reading it all. Express's and
   * Feathers' default.
   * @defaultValue `102400` (100 KiB)
   */
  bodyLimit?: number;
  /**
   * The RFC 6750 realm of `WWW-Authenticate` challenges.
   * @defaultValue `'api'`
   */
  realm?: string;
  /**
   * `params.provider` for the authentication service (the local strategy hides the password hash
   * from any provider).
   * @defaultValue `'rest'`
   */
  provider?: string;
  /** Serves the JWKS: an `@org/strategy-jwt` `JwksEndpoint` (`new JwksEndpoint(keyRing)`). */
  jwks?: JwksResponder;
  /**
   * Where the JWKS is served.
   * @defaultValue `'/.well-known/jwks.json'`
   */
  jwksPath?: string;
  /** More routes (an OAuth package's), served like the built-in ones on every host. */
  routes?: readonly HttpRoute[];
  /**
   * Failed-login rate limits; `false` turns them off (only when something in front of the transport
   * limits logins).
   * @defaultValue `{}`: in memory, {@link DEFAULT_ACCOUNT_LIMIT} per account and {@link DEFAULT_ADDRESS_LIMIT} per address
   */
  rateLimit?: LoginRateLimitOptions | false;
  /**
   * The proxies whose `X-Forwarded-For` is believed, as addresses, CIDR ranges or `loopback`,
   * `linklocal`, `uniquelocal`. Off by default: the client address is the peer's, since anyone can send
   * the header; turn it on only for the proxies in front of you, or every client can pick its address.
   * @defaultValue `false`
   */
  trustProxy?: false | readonly string[];
  /**
   * Told about every error before its response is sent: the place to log a 500's `cause` (which never
   * leaves the server) and rate limit store outages.
   */
  onError?: (error: AuthError, request: HttpRequest | undefined) => void;
}

/** The transport: the routes and their behaviour, for the host adapters to serve. */
export interface HttpTransport {
  /** The authentication service it serves. */
  readonly authentication: AuthenticationService;
  /** The RFC 6750 realm of its challenges. */
  readonly realm: string;
  /** Every path pattern it answers, in matching order. */
  readonly paths: readonly string[];
  /**
   * Answers a request, or resolves `undefined` when no route's path matches (the host then calls its
   * `next()` or answers 404). Never rejects: errors become responses.
   * @param init - The host's request.
   */
  handle(init: HttpRequestInit): Promise<HttpResponse | undefined>;
  /**
   * Answers a request already routed to `path` (a host with its own router, such as Fastify).
   * @param path - One of {@link HttpTransport.paths}.
   * @param init - The host's request.
   * @param params - The route parameters the host decoded.
   */
  dispatch(
    path: string,
    init: HttpRequestInit,
    params: Readonly<Record<string, string>>,
  ): Promise<HttpResponse>;
  /**
   * Tells `onError` about an error (a host adapter's own guard uses it); never throws.
   * @param error - The error.
   * @param request - The request, when there is one.
   */
  reportError(error: AuthError, request?: HttpRequest): void;
  /**
   * The response for an error, after telling `onError`.
   * @param error - Whatever was thrown.
   * @param request - The request, when there is one.
   */
  errorResponse(error: unknown, request?: HttpRequest): HttpResponse;
  /**
   * Opens the rate limit store. Call it (hosts' plugins do) before serving, so a missing package or an
   * unreachable store fails at start-up instead of on the first login.
   * @throws BadRequest `missing-package`; the store's connection error.
   */
  ready(): Promise<void>;
  /** Closes what the transport opened (a rate limit store it connected itself). */
  close(): Promise<void>;
}

const KNOWN = [
  'path',
  'bodyLimit',
  'realm',
  'provider',
  'jwks',
  'jwksPath',
  'routes',
  'rateLimit',
  'trustProxy',
  'onError',
];

/**
 * Splits a request target into path and query without resolving it: `//host/x` stays a path (a URL
 * parser would read a host there), and a full URL (absolute-form) keeps only its path and query.
 */
function splitUrl(target: string): { path: string; query: string } {
  const relative = target.startsWith('/')
    ? target
    : target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/';
  const hash = relative.indexOf('#');
  const withoutHash = hash === -1 ? relative : relative.slice(0, hash);
  const q = withoutHash.indexOf('?');
  return q === -1
    ? { path: withoutHash, query: '' }
    : { path: withoutHash.slice(0, q), query: withoutHash.slice(q + 1) };
}

function checkOptions(auth: AuthenticationService, options: HttpTransportOptions): void {
  if (auth === null || typeof auth !== 'object' || typeof auth.create !== 'function') {
    throw configError('createHttpTransport() needs an AuthenticationService');
  }
  if (options === null || typeof options !== 'object')
    throw configError('createHttpTransport(): options must be an object');
  assertKnownOptions(options, KNOWN, 'createHttpTransport()');
  const { bodyLimit, routes, jwks, onError, realm, provider } = options;
  if (bodyLimit !== undefined && (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1)) {
    throw configError('createHttpTransport(): bodyLimit must be a whole number of bytes >= 1');
  }
  if (routes !== undefined && !Array.isArray(routes))
    throw configError('createHttpTransport(): routes must be a list');
  if (jwks !== undefined && typeof jwks?.respond !== 'function') {
    throw configError('createHttpTransport(): jwks must be a JwksEndpoint (an object with respond())');
  }
  if (onError !== undefined && typeof onError !== 'function')
    throw configError('createHttpTransport(): onError must be a function');
  for (const [name, value] of [
    ['realm', realm],
    ['provider', provider],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw configError(`createHttpTransport(): ${name} must be a non-empty string`);
    }
  }
}

/**
 * Turns an `AuthenticationService` into HTTP, the same on every host: `POST /authentication` (login,
 * 201), `DELETE /authentication` (logout with the request's token, which is revoked), the JWKS when
 * given, and any contributed routes; Feathers error JSON with `WWW-Authenticate` on 401s; failed-login
 * rate limits. Serve it with {@link nodeHandler}, {@link fetchHandler} or the Fastify plugin
 * (`@org/http/fastify`).
 *
 * @param auth - The authentication service (set up, or set up before the first request).
 * @param options - Paths, limits, routes and hooks.
 * @returns The transport.
 * @throws BadRequest `invalid-configuration` for an unknown option (with a did-you-mean hint), a bad
 *   value, or a bad or conflicting route.
 * @example
 * ```ts
 * const transport = createHttpTransport(auth, { jwks: new JwksEndpoint(keyRing) });
 * await transport.ready();
 * http.createServer(nodeHandler(transport)).listen(3030);
 * ```
 */
export function createHttpTransport(
  auth: AuthenticationService,
  options: HttpTransportOptions = {},
): HttpTransport {
  checkOptions(auth, options);
  const {
    path = '/authentication',
    bodyLimit = 102_400,
    realm = 'api',
    provider = 'rest',
    onError,
  } = options;
  const trusted = compileTrustedProxies(options.trustProxy);
  const report = (error: AuthError, request: HttpRequest | undefined) => {
    try {
      onError?.(error, request);
    } catch {
      // A failing logger must not turn a response into a crash.
    }
  };
  const limiter =
    options.rateLimit === false
      ? undefined
      : new LoginRateLimiter(
          options.rateLimit ?? {},
          () => auth.configuration as Record<string, unknown>,
          (error) => report(error, undefined),
        );
  const entries = compileRoutes([
    ...authenticationRoutes(auth, { path, provider, limiter }),
    ...(options.jwks ? [jwksRoute(options.jwks, options.jwksPath ?? DEFAULT_JWKS_PATH)] : []),
    ...(options.routes ?? []),
  ]);
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));

  const toRequest = (init: HttpRequestInit, params: Readonly<Record<string, string>>): HttpRequest => {
    const { path, query } = splitUrl(init.url);
    const headers: Record<string, string | undefined> = Object.create(null);
    for (const [name, value] of Object.entries(init.headers)) {
      if (value !== undefined)
        headers[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
    }
    let body: Promise<Uint8Array> | undefined;
    let cookies: Record<string, string> | undefined;
    const readBody = () => (body ??= init.readBody(bodyLimit));
    return {
      method: init.method.toUpperCase(),
      path,
      query: new URLSearchParams(query),
      headers,
      params,
      get cookies() {
        return (cookies ??= parseCookies(headers.cookie));
      },
      remoteAddress: clientAddress(init.peerAddress, headers['x-forwarded-for'], trusted),
      raw: init.raw,
      body: readBody,
      async json() {
        // A body declared as something else is refused before it is read.
        assertJsonContentType(headers['content-type']);
        return parseJsonObject(await readBody(), headers['content-type']);
      },
    };
  };

  const run = async (entry: RouteEntry, request: HttpRequest): Promise<HttpResponse> => {
    const method = request.method;
    const route = entry.methods.get(method) ?? (method === 'HEAD' ? entry.methods.get('GET') : undefined);
    if (route === undefined) {
      if (method === 'OPTIONS') return { status: 204, headers: { allow: entry.allow } };
      throw new MethodNotAllowed(`${method} is not allowed on ${entry.path}`, {
        data: { allow: entry.allow },
      });
    }
    const response = await route.handler(request);
    return method === 'HEAD' && !entry.methods.has('HEAD') ? { ...response, body: undefined } : response;
  };

  const transport: HttpTransport = {
    authentication: auth,
    realm,
    paths: entries.map((entry) => entry.path),
    async handle(init) {
      const match = matchRoute(entries, splitUrl(init.url).path);
      if (match === undefined) return undefined;
      return transport.dispatch(match.entry.path, init, match.params);
    },
    async dispatch(routePath, init, params) {
      let request: HttpRequest | undefined;
      try {
        const entry = byPath.get(routePath);
        if (entry === undefined) throw new Error(`No route ${routePath}`);
        request = toRequest(init, params);
        return await run(entry, request);
      } catch (error) {
        return transport.errorResponse(error, request);
      }
    },
    reportError: report,
    errorResponse(error, request) {
      const authError = toAuthError(error);
      report(authError, request);
      return httpErrorResponse(authError, realm);
    },
    async ready() {
      await limiter?.ready();
    },
    async close() {
      await limiter?.close();
    },
  };
  return transport;
}
