import { MemoryService } from '@org/adapter-memory';
import { AuthenticationService, type AuthenticationConfiguration } from '@org/core';
import { createHttpTransport, nodeHandler } from '@org/http';
import { JWTStrategy } from '@org/strategy-jwt';
import { OAuthCodeStrategy } from './oauth-code-strategy.ts';
import { oauthRoutes, type OAuthRoutesOptions } from './oauth-routes.ts';
import { OAuthStrategy, type OAuthStrategyOptions } from './oauth-strategy.ts';
import { CLIENT_ID, CLIENT_SECRET, listen, startTestProvider, type TestProvider } from './test-provider.ts';
import type { TestBrowser } from './test-browser.ts';

/** A strong test secret. */
export const TEST_SECRET = 'kQ3v8yP1tZ7xW2nR6mB9cL4sH0dF5gJ-aE8uI1oY3rT6wQ9zX2vN5bM7kC0pS4hG';

/** What {@link startTestApp} starts. */
export interface TestApp {
  /** The API's origin (`http://127.0.0.1:<port>`). */
  api: string;
  /** The front end's login page (the configured `redirect`), on the API's origin. */
  front: string;
  /** The OpenID provider. */
  provider: TestProvider;
  /** The authentication service. */
  auth: AuthenticationService;
  /** The users' store. */
  users: MemoryService;
  /** Errors the routes reported. */
  errors: Error[];
  /** Stops the API and the provider. */
  close(): Promise<void>;
}

/** Settings of {@link startTestApp}. */
export interface TestAppOptions {
  /** Over `authentication.oauth`. */
  oauth?: Record<string, unknown>;
  /** For every OAuth strategy. */
  strategy?: OAuthStrategyOptions;
  /** For the routes. */
  routes?: OAuthRoutesOptions;
  /** More provider sections. */
  providers?: Record<string, Record<string, unknown>>;
  /** The class registered as the `test` provider's strategy (a subclass overriding Feathers' methods). */
  testStrategy?: new (options: OAuthStrategyOptions) => OAuthStrategy;
}

/**
 * A real API on 127.0.0.1 (memory users, the JWT strategy, two OAuth strategies `test` and `second` on one
 * real oidc-provider, the code strategy, the HTTP transport on node:http) and the provider itself.
 * @param options - Overrides.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const api = await listen();
  const provider = await startTestProvider([
    `${api.origin}/oauth/test/callback`,
    `${api.origin}/oauth/second/callback`,
  ]);
  const users = new MemoryService({ id: 'id' });
  const section = { key: CLIENT_ID, secret: CLIENT_SECRET, issuer: provider.issuer };
  const auth = new AuthenticationService(
    {
      entity: 'user',
      service: 'users',
      secret: TEST_SECRET,
      authStrategies: ['jwt', 'oauth-code'],
      oauth: {
        redirect: `${api.origin}/app/login`,
        test: section,
        second: section,
        ...options.providers,
        ...options.oauth,
      },
    } as AuthenticationConfiguration,
    { services: { users } },
  );
  const strategyOptions = { allowInsecureLoopback: true, ...options.strategy };
  auth.register('jwt', new JWTStrategy());
  const TestStrategy = options.testStrategy ?? OAuthStrategy;
  auth.register('test', new TestStrategy(strategyOptions));
  auth.register('second', new OAuthStrategy(strategyOptions));
  for (const name of Object.keys(options.providers ?? {}))
    auth.register(name, new OAuthStrategy(strategyOptions));
  auth.register('oauth-code', new OAuthCodeStrategy());
  await auth.setup();
  const errors: Error[] = [];
  const transport = createHttpTransport(auth, {
    routes: oauthRoutes(auth, { onError: (error) => errors.push(error), ...options.routes }),
  });
  await transport.ready();
  api.handle(nodeHandler(transport));
  return {
    api: api.origin,
    front: `${api.origin}/app/login`,
    provider,
    auth,
    users,
    errors,
    async close() {
      await transport.close();
      api.server.closeAllConnections();
      await new Promise<void>((resolve) => api.server.close(() => resolve()));
      await provider.close();
    },
  };
}

/**
 * Drives a login in `browser` from `start` through the provider's dev login and consent forms to the
 * front end, and resolves with the URL the browser was sent back to (not requested).
 * @param app - The app.
 * @param browser - The browser.
 * @param start - The start URL (`/oauth/test`), or a provider authorization URL.
 * @param account - The login name at the provider.
 * @param init - For the first request (a `Referer`).
 */
export async function loginThrough(
  app: TestApp,
  browser: TestBrowser,
  start: string,
  account: string,
  init: RequestInit = {},
): Promise<URL> {
  const isFront = (url: URL) => url.origin !== app.provider.issuer && !url.pathname.startsWith('/oauth/');
  let url = start;
  let first: RequestInit | undefined = init;
  for (let step = 0; step < 6; step++) {
    const reached = await browser.follow(
      url,
      (u) => isFront(u) || u.pathname.startsWith('/interaction/'),
      first,
    );
    first = undefined;
    if (isFront(reached.url)) return reached.url;
    if (!reached.url.pathname.startsWith('/interaction/')) {
      throw new Error(`Stopped at ${reached.url.href} (${reached.response?.status})`);
    }
    url = await browser.submitForm(reached.url.href, { login: account, password: 'any' });
  }
  throw new Error('The login did not come back');
}

/**
 * Exchanges a one-time code at `POST /authentication` with the browser's cookies.
 * @param app - The app.
 * @param browser - The browser.
 * @param code - The code.
 */
export async function exchange(app: TestApp, browser: TestBrowser, code: string | null): Promise<Response> {
  return browser.request(`${app.api}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ strategy: 'oauth-code', code }),
  });
}

/** The `code` in a hand-off URL's fragment. @param url - The URL. */
export function codeOf(url: URL): string | null {
  return new URLSearchParams(url.hash.slice(1)).get('code');
}
