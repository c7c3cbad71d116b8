import { timingSafeEqual } from 'node:crypto';
import {
  BadRequest,
  NotAuthenticated,
  NotFound,
  toAuthError,
  type AuthError,
  type AuthenticationService,
  type Id,
} from '@org/core';
import {
  jsonResponse,
  redirectResponse,
  serializeCookie,
  type HttpRequest,
  type HttpResponse,
  type HttpRoute,
} from '@org/http';
import { BINDING_COOKIE, STATE_COOKIE, oauthContext, type OAuthContext } from './oauth-context.ts';
import { oauthErrorCode, type OAuthErrorCode } from './oauth-error-codes.ts';
import { OAUTH_LOGIN, type OAuthLogin } from './oauth-login.ts';
import { OAuthStrategy, type OAuthHandoff } from './oauth-strategy.ts';
import { CODE_TTL_MS } from './one-time-codes.ts';

/** Options of {@link oauthRoutes}. */
export interface OAuthRoutesOptions {
  /**
   * Told about every failed login before the browser is sent back with its `?error=` code: the place to
   * log the cause (the browser never sees it).
   */
  onError?: (error: AuthError, request: HttpRequest) => void;
  /**
   * `params.provider` for the login the `'fragment'` hand-off makes at the callback.
   * @defaultValue `'rest'`
   */
  provider?: string;
}

/** The part of the authentication service the OAuth routes call. */
export type OAuthRoutesAuthentication = Pick<
  AuthenticationService,
  'configuration' | 'getStrategy' | 'authenticate' | 'create' | 'parse'
>;

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The callback URL registered at the provider: the provider section's `redirectUri`, else
 * `<defaults.origin><defaults.prefix>/<name>/callback`.
 * @param strategy - The OAuth strategy.
 * @param context - Its OAuth context.
 */
export function redirectUriOf(strategy: OAuthStrategy, context: OAuthContext): string {
  return (
    strategy.client.settings.redirectUri ??
    `${context.publicOrigin}${context.prefix}/${strategy.name}/callback`
  );
}

/**
 * The OAuth routes, to mount on the HTTP transport (`createHttpTransport(auth, { routes: oauthRoutes(auth) })`):
 *
 * - `GET /oauth/:provider[?redirect=/path]` starts a login: seals `state`, `nonce` and the PKCE verifier
 *   into a short-lived cookie (`HttpOnly`, `SameSite=Lax`, `Secure` on https, `Path=/oauth`) and redirects
 *   to the provider. `redirect` is a relative path on the allowed origin (picked from the `Referer`).
 * - `GET /oauth/:provider/callback` finishes it: checks the cookie and `state`, lets the strategy log the
 *   user in, and sends the browser back to the allowed origin with a one-time code (`#code=`), or
 *   `?error=<code>` from a fixed vocabulary.
 * - `POST /oauth/:provider/link` (authenticated with `Authorization: Bearer`) starts a login that links the
 *   provider to the caller, and answers `{ url }` for the front end to navigate to: no token in a URL.
 *
 * @param auth - The authentication service, with its OAuth strategies registered.
 * @param options - `onError`, `provider`.
 * @returns The routes.
 * @throws BadRequest `invalid-configuration` for a bad `authentication.oauth`.
 * @example
 * ```ts
 * const transport = createHttpTransport(auth, { routes: oauthRoutes(auth, { onError: (e) => log.warn(e.cause) }) });
 * ```
 */
export function oauthRoutes(auth: OAuthRoutesAuthentication, options: OAuthRoutesOptions = {}): HttpRoute[] {
  const context = oauthContext(auth as never);
  const { prefix } = context;
  const find = (name: string | undefined): OAuthStrategy => {
    const strategy = name === undefined ? undefined : auth.getStrategy(name);
    if (!(strategy instanceof OAuthStrategy)) throw new NotFound('No such OAuth provider');
    return strategy;
  };
  const stateCookie = (value: string, maxAge: number) =>
    serializeCookie(STATE_COOKIE, value, {
      maxAge,
      path: prefix,
      secure: context.secure,
      httpOnly: true,
      sameSite: 'Lax',
    });

  /** Sends the browser back to an allowed origin; an override that points elsewhere gets the default. */
  const back = async (
    strategy: OAuthStrategy,
    handoff: OAuthHandoff,
    target: URL,
    cookies: string[],
  ): Promise<HttpResponse> => {
    let location = await strategy.getRedirect(handoff, target, {}).catch(() => undefined);
    if (location === undefined || !context.policy.allows(location)) {
      const fallback = context.policy.resolve(context.policy.defaultOrigin);
      fallback.searchParams.set('error', 'server_error');
      location = fallback.href;
    }
    return redirectResponse(location, 303, { 'set-cookie': cookies });
  };

  const fail = (
    strategy: OAuthStrategy,
    request: HttpRequest,
    error: unknown,
    target: URL,
    code: OAuthErrorCode = oauthErrorCode(error),
  ) => {
    try {
      options.onError?.(toAuthError(error), request);
    } catch {
      // A failing logger must not break the redirect.
    }
    return back(strategy, { error: code }, target, [stateCookie('', 0)]);
  };

  const begin = async (request: HttpRequest, linkUserId: Id | undefined) => {
    const strategy = find(request.params.provider);
    const origin = context.policy.pickOrigin(request.headers.origin ?? request.headers.referer);
    const redirects = request.query.getAll('redirect');
    if (redirects.length > 1) throw new BadRequest('Give one redirect', { reason: 'invalid-redirect' });
    const path =
      redirects.length === 0 ? context.policy.defaultPath : context.policy.checkPath(redirects[0]!);
    const checks = strategy.client.newChecks();
    const url = await strategy.client.authorizationUrl(checks, redirectUriOf(strategy, context));
    const sealed = context.seal({
      provider: strategy.name!,
      ...checks,
      origin,
      path,
      createdAt: Date.now(),
      ...(linkUserId === undefined ? {} : { linkUserId }),
    });
    return { url, cookie: stateCookie(sealed, context.stateMaxAge), strategy, origin };
  };

  const start: HttpRoute = {
    method: 'GET',
    path: `${prefix}/:provider`,
    async handler(request) {
      const strategy = find(request.params.provider);
      try {
        const { url, cookie } = await begin(request, undefined);
        return redirectResponse(url.href, 302, { 'set-cookie': cookie });
      } catch (error) {
        const origin = context.policy.pickOrigin(request.headers.referer);
        return fail(strategy, request, error, context.policy.resolve(origin));
      }
    },
  };

  const link: HttpRoute = {
    method: 'POST',
    path: `${prefix}/:provider/link`,
    async handler(request) {
      find(request.params.provider);
      const { parseStrategies, authStrategies = [], entity = 'user' } = auth.configuration;
      const credentials = await auth.parse(request.raw, ...((parseStrategies ?? authStrategies) as string[]));
      if (credentials === null)
        throw new NotAuthenticated('Linking needs a logged-in user', { reason: 'no-credentials' });
      const result = await auth.authenticate(
        credentials,
        { provider: options.provider ?? 'rest' },
        ...(authStrategies as string[]),
      );
      const user = entity === null ? undefined : (result[entity] as Record<string, unknown> | undefined);
      const strategy = find(request.params.provider);
      const id = user?.[strategy.entityIdField];
      if (typeof id !== 'string' && typeof id !== 'number') {
        throw new NotAuthenticated('Linking needs a logged-in user', { reason: 'no-credentials' });
      }
      const { url, cookie } = await begin(request, id);
      return jsonResponse(200, { url: url.href }, { 'set-cookie': cookie, 'cache-control': 'no-store' });
    },
  };

  const callback: HttpRoute = {
    method: 'GET',
    path: `${prefix}/:provider/callback`,
    async handler(request) {
      const strategy = find(request.params.provider);
      const flow = context.open(request.cookies[STATE_COOKIE]);
      const target = context.policy.resolve(flow?.origin ?? context.policy.defaultOrigin, flow?.path);
      const states = request.query.getAll('state');
      if (
        flow === undefined ||
        flow.provider !== strategy.name ||
        states.length !== 1 ||
        !sameText(states[0]!, flow.state)
      ) {
        const error = new NotAuthenticated('The login state is missing, expired or does not match', {
          reason: 'invalid-state',
        });
        return fail(strategy, request, error, target);
      }
      const providerError = request.query.get('error');
      if (providerError !== null) {
        // The provider's own words (error_description) are never passed on: they are text anyone can choose.
        const error = new NotAuthenticated('The provider answered with an error', {
          reason: 'invalid-credentials',
        });
        return fail(
          strategy,
          request,
          error,
          target,
          providerError === 'access_denied' ? 'access_denied' : 'provider_error',
        );
      }
      try {
        const callbackUrl = new URL(redirectUriOf(strategy, context));
        callbackUrl.search = request.query.toString();
        const verified = await strategy.client.finish(callbackUrl, flow);
        const login: OAuthLogin = {
          ...verified,
          provider: strategy.name!,
          ...(flow.linkUserId === undefined ? {} : { linkUserId: flow.linkUserId }),
        };
        const result = await auth.authenticate(
          { strategy: strategy.name },
          { [OAUTH_LOGIN]: login } as never,
          strategy.name!,
        );
        const entity = result[strategy.configuration.entity] as Record<string, unknown>;
        const entityId = entity?.[strategy.entityIdField] as Id;
        const { code, binding } = await context.codes.issue({ strategy: strategy.name!, entityId });
        const bindingCookie = serializeCookie(BINDING_COOKIE, binding, {
          maxAge: CODE_TTL_MS / 1000,
          path: '/',
          secure: context.secure,
          httpOnly: true,
          sameSite: 'Lax',
        });
        if (context.handoff === 'code')
          return back(strategy, { code }, target, [stateCookie('', 0), bindingCookie]);
        const { accessToken } = await auth.create(
          { strategy: context.codeStrategy, code },
          {
            provider: options.provider ?? 'rest',
            headers: { cookie: `${BINDING_COOKIE}=${binding}` },
            authStrategies: [context.codeStrategy],
          },
        );
        return back(strategy, { accessToken }, target, [stateCookie('', 0)]);
      } catch (error) {
        return fail(strategy, request, error, target);
      }
    },
  };

  return [start, link, callback];
}
