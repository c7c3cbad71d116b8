import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFound, type AuthError, type AuthenticationService } from '@org/core';
import type { HttpRequest } from './http-request.ts';
import { jsonResponse, redirectResponse } from './http-response.ts';
import { serializeCookie } from './cookies.ts';
import { createHttpTransport, type HttpTransport, type HttpTransportOptions } from './transport.ts';
import { PASSWORD, createTestAuth, testJwksEndpoint } from './test-app.ts';

/** A running host: its base URL and how to stop it. */
export interface TestHost {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a real server on 127.0.0.1, port 0, serving `transport` and a `GET /me` guarded by the JWT
 * strategy through the host's own guard, answering `{ user, authentication }`.
 */
export type HostFactory = (transport: HttpTransport, auth: AuthenticationService) => Promise<TestHost>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** A response's JSON body, loosely typed for assertions. */
export const json = (response: Response): Promise<any> => response.json();

/** Extra routes, as an OAuth package would contribute them. */
const extraRoutes: HttpTransportOptions['routes'] = [
  {
    method: 'GET',
    path: '/oauth/:provider',
    handler: (request: HttpRequest) =>
      redirectResponse(`https://accounts.example.com/authorize?provider=${request.params.provider}`, 302, {
        'set-cookie': [
          serializeCookie('oauth_state', 'sealed state', { maxAge: 600, path: '/oauth' }),
          serializeCookie('oauth_nonce', 'n', { maxAge: 600, path: '/oauth' }),
        ],
      }),
  },
  {
    method: 'GET',
    path: '/oauth/:provider/callback',
    handler: (request: HttpRequest) =>
      jsonResponse(200, {
        params: request.params,
        code: request.query.get('code'),
        cookies: { ...request.cookies },
        remoteAddress: request.remoteAddress,
      }),
  },
  {
    method: 'POST',
    path: '/echo',
    handler: async (request: HttpRequest) => {
      const body = await request.json();
      return jsonResponse(200, { keys: Object.keys(body), nested: Object.keys(body.nested as object) });
    },
  },
  {
    method: 'GET',
    path: '/boom',
    handler: () => {
      throw new Error('connect ECONNREFUSED db-internal:5432 password=hunter2');
    },
  },
  {
    method: ['GET', 'PUT'],
    path: '/missing',
    handler: () => {
      throw new NotFound('No such thing');
    },
  },
];

/**
 * The transport's behaviour, once, for every host: run it from each host's test file.
 * @param name - The host's name.
 * @param startHost - Starts the host.
 */
export function transportSuite(name: string, startHost: HostFactory): void {
  describe(`the transport on ${name}`, () => {
    let auth: AuthenticationService;
    const hosts: TestHost[] = [];
    const errors: AuthError[] = [];

    beforeAll(async () => {
      ({ auth } = await createTestAuth());
    });
    afterEach(async () => {
      await Promise.all(hosts.splice(0).map((host) => host.close()));
      errors.length = 0;
    });
    afterAll(() => undefined);

    async function serve(options: HttpTransportOptions = {}): Promise<string> {
      const transport = createHttpTransport(auth, {
        routes: extraRoutes,
        jwks: testJwksEndpoint(),
        onError: (error) => errors.push(error),
        ...options,
      });
      await transport.ready();
      const host = await startHost(transport, auth);
      hosts.push({ url: host.url, close: async () => (await host.close(), await transport.close()) });
      return host.url;
    }

    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const local = (email = 'ada@example.com', password = PASSWORD) => ({
      strategy: 'local',
      email,
      password,
    });

    describe('POST /authentication', () => {
      it('logs in with the local strategy: 201 and Feathers result shape, no password hash', async () => {
        const url = await serve();
        const res = await post(url, local());
        expect(res.status).toBe(201);
        expect(res.headers.get('content-type')).toBe(JSON_TYPE);
        const body = await json(res);
        expect(body).toEqual({
          accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          authentication: {
            strategy: 'local',
            payload: expect.objectContaining({ sub: '1', jti: expect.any(String) }),
          },
          user: { id: 1, email: 'ada@example.com', name: 'Ada' },
        });
      });

      it('re-authenticates with strategy "jwt" and returns a fresh token', async () => {
        const url = await serve();
        const { accessToken } = await json(await post(url, local()));
        const res = await post(url, { strategy: 'jwt', accessToken });
        expect(res.status).toBe(201);
        const body = await json(res);
        expect(body.accessToken).toEqual(expect.any(String));
        expect(body.accessToken).not.toBe(accessToken);
        expect(body.authentication).toMatchObject({ strategy: 'jwt', accessToken: body.accessToken });
        expect(body.user).toMatchObject({ id: 1 });
        const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${body.accessToken}` } });
        expect(me.status).toBe(200);
      });

      it('answers a wrong password with 401 NotAuthenticated and a WWW-Authenticate challenge', async () => {
        const url = await serve();
        const res = await post(url, local('ada@example.com', 'wrong'));
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api"/);
        expect(await json(res)).toEqual({
          name: 'NotAuthenticated',
          message: 'Invalid login',
          code: 401,
          className: 'not-authenticated',
          data: { reason: 'invalid-credentials' },
        });
      });

      it('answers a strategy that is not allowed with 401', async () => {
        const url = await serve();
        const res = await post(url, { strategy: 'ldap', username: 'ada' });
        expect(res.status).toBe(401);
        expect((await json(res)).data.reason).toBe('strategy-not-allowed');
      });

      const badBodies: Array<[string, string, string]> = [
        ['bad JSON', '{"strategy": "local",', 'The request body is not valid JSON'],
        ['an array', '[{"strategy":"local"}]', 'The request body must be a JSON object'],
        ['a string', '"local"', 'The request body must be a JSON object'],
        ['null', 'null', 'The request body must be a JSON object'],
        ['an empty body', '', 'The request body must be a JSON object'],
        [
          'no strategy',
          '{"email":"ada@example.com"}',
          'The request body needs a `strategy` (for example "local" or "jwt")',
        ],
        [
          'an empty strategy',
          '{"strategy":""}',
          'The request body needs a `strategy` (for example "local" or "jwt")',
        ],
        [
          'a non-string strategy',
          '{"strategy":{"$ne":null}}',
          'The request body needs a `strategy` (for example "local" or "jwt")',
        ],
      ];
      for (const [label, body, message] of badBodies) {
        it(`answers ${label} with 400 BadRequest (invalid-body)`, async () => {
          const url = await serve();
          const res = await post(url, body);
          expect(res.status).toBe(400);
          expect(await json(res)).toEqual({
            name: 'BadRequest',
            message,
            code: 400,
            className: 'bad-request',
            data: { reason: 'invalid-body' },
          });
        });
      }

      it('answers invalid UTF-8 with 400', async () => {
        const url = await serve();
        const res = await fetch(`${url}/authentication`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
        });
        expect(res.status).toBe(400);
        expect((await json(res)).message).toBe('The request body is not valid JSON');
      });

      it('answers a body that is not JSON with 415, before reading it', async () => {
        const url = await serve();
        for (const type of [
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ]) {
          const res = await post(url, 'strategy=local', { 'content-type': type });
          expect(res.status).toBe(415);
          expect(await json(res)).toMatchObject({
            name: 'UnsupportedMediaType',
            code: 415,
            className: 'unsupported-media-type',
            data: { reason: 'unsupported-media-type' },
          });
        }
        const vendor = await post(url, local(), {
          'content-type': 'application/vnd.api+json; charset=utf-8',
        });
        expect(vendor.status).toBe(201);
      });

      it('answers a body over the limit with 413, whether it declares its length or not', async () => {
        const url = await serve({ bodyLimit: 1024 });
        const big = JSON.stringify({ ...local(), padding: 'x'.repeat(2000) });
        const declared = await post(url, big);
        expect(declared.status).toBe(413);
        expect(await json(declared)).toEqual({
          name: 'PayloadTooLarge',
          message: 'The request body is larger than 1024 bytes',
          code: 413,
          className: 'payload-too-large',
          data: { reason: 'payload-too-large' },
        });
        const chunks = [big.slice(0, 800), big.slice(800)].map((part) => new TextEncoder().encode(part));
        const stream = new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        });
        const chunked = await fetch(`${url}/authentication`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: stream,
          duplex: 'half',
        } as RequestInit);
        expect(chunked.status).toBe(413);
        expect((await json(chunked)).name).toBe('PayloadTooLarge');
        const fits = await post(url, local());
        expect(fits.status).toBe(201);
      });

      it('drops __proto__, constructor and prototype members at every depth (invariant 11)', async () => {
        const url = await serve();
        const res = await fetch(`${url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"a":1,"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"nested":{"b":2,"__proto__":{"y":1},"prototype":3}}',
        });
        expect(res.status).toBe(200);
        expect(await json(res)).toEqual({ keys: ['a', 'nested'], nested: ['b'] });
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      });
    });

    describe('DELETE /authentication', () => {
      it("logs out with the request's own token and revokes it", async () => {
        const url = await serve();
        const { accessToken } = await json(await post(url, local()));
        const res = await fetch(`${url}/authentication`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${accessToken}` },
        });
        expect(res.status).toBe(200);
        const body = await json(res);
        expect(body).toMatchObject({ authentication: { strategy: 'jwt', accessToken }, user: { id: 1 } });
        expect(body.user.password).toBeUndefined();

        const again = await post(url, { strategy: 'jwt', accessToken });
        expect(again.status).toBe(401);
        expect((await json(again)).data.reason).toBe('token-revoked');
        const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
        expect(me.status).toBe(401);
        const twice = await fetch(`${url}/authentication`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${accessToken}` },
        });
        expect(twice.status).toBe(401);
      });

      it('answers a logout without a token with 401 and a bare challenge', async () => {
        const url = await serve();
        const res = await fetch(`${url}/authentication`, { method: 'DELETE' });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
        expect(await json(res)).toMatchObject({
          name: 'NotAuthenticated',
          data: { reason: 'no-credentials' },
        });
      });

      it('answers a logout with a bad token with 401 invalid_token', async () => {
        const url = await serve({ realm: 'shop' });
        const res = await fetch(`${url}/authentication`, {
          method: 'DELETE',
          headers: { authorization: 'Bearer not.a.token' },
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="shop", error="invalid_token"/);
      });
    });

    describe('methods', () => {
      it('answers another method with 405 and Allow, OPTIONS with 204 and Allow', async () => {
        const url = await serve();
        for (const method of ['GET', 'PUT', 'PATCH']) {
          const res = await fetch(`${url}/authentication`, { method });
          expect(res.status).toBe(405);
          expect(res.headers.get('allow')).toBe('POST, DELETE, OPTIONS');
          expect(await json(res)).toEqual({
            name: 'MethodNotAllowed',
            message: `${method} is not allowed on /authentication`,
            code: 405,
            className: 'method-not-allowed',
            data: { allow: 'POST, DELETE, OPTIONS', reason: 'method-not-allowed' },
          });
        }
        const options = await fetch(`${url}/authentication`, { method: 'OPTIONS' });
        expect(options.status).toBe(204);
        expect(options.headers.get('allow')).toBe('POST, DELETE, OPTIONS');
      });

      it('serves the login path where configured', async () => {
        const url = await serve({ path: '/auth/login' });
        const res = await fetch(`${url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(local()),
        });
        expect(res.status).toBe(201);
      });
    });

    describe('errors', () => {
      it('answers anything unexpected with a generic 500 and gives the cause to onError only', async () => {
        const url = await serve();
        const res = await fetch(`${url}/boom`);
        expect(res.status).toBe(500);
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({
          name: 'GeneralError',
          message: 'General error',
          code: 500,
          className: 'general-error',
          data: { reason: 'general-error' },
        });
        expect(text).not.toMatch(/hunter2|ECONNREFUSED|db-internal|at /);
        expect(errors).toHaveLength(1);
        expect((errors[0]!.cause as Error).message).toContain('ECONNREFUSED');
      });

      it("sends a route's AuthError as its JSON", async () => {
        const url = await serve();
        const res = await fetch(`${url}/missing`);
        expect(res.status).toBe(404);
        expect(await json(res)).toMatchObject({ name: 'NotFound', message: 'No such thing', code: 404 });
        const head = await fetch(`${url}/missing`, { method: 'HEAD' });
        expect(head.status).toBe(404);
      });
    });

    describe('the guard', () => {
      it('lets a valid token through with the user set', async () => {
        const url = await serve();
        const { accessToken } = await json(await post(url, local()));
        const res = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
        expect(res.status).toBe(200);
        const body = await json(res);
        expect(body).toMatchObject({
          user: { id: 1, email: 'ada@example.com' },
          authentication: { strategy: 'jwt', accessToken },
        });
        expect(body.user.password).toBeUndefined();
      });

      it('refuses no token with a bare challenge and a bad one with invalid_token', async () => {
        const url = await serve();
        const none = await fetch(`${url}/me`);
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
        expect(await json(none)).toMatchObject({
          name: 'NotAuthenticated',
          code: 401,
          className: 'not-authenticated',
        });
        const bad = await fetch(`${url}/me`, { headers: { authorization: 'Bearer x.y.z' } });
        expect(bad.status).toBe(401);
        expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      });
    });

    describe('extra routes', () => {
      it('serves a redirect with several Set-Cookie headers', async () => {
        const url = await serve();
        const res = await fetch(`${url}/oauth/github`, { redirect: 'manual' });
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toBe('https://accounts.example.com/authorize?provider=github');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.getSetCookie()).toEqual([
          'oauth_state=sealed%20state; Max-Age=600; Path=/oauth; Secure; HttpOnly; SameSite=Lax',
          'oauth_nonce=n; Max-Age=600; Path=/oauth; Secure; HttpOnly; SameSite=Lax',
        ]);
      });

      it('gives handlers decoded params, the query, cookies and the client address', async () => {
        const url = await serve();
        const res = await fetch(`${url}/oauth/git%20hub/callback?code=abc&state=s`, {
          headers: { cookie: 'oauth_state=sealed%20state; oauth_state=shadowed; other="q"' },
        });
        expect(res.status).toBe(200);
        expect(await json(res)).toEqual({
          params: { provider: 'git hub' },
          code: 'abc',
          cookies: { oauth_state: 'sealed state', other: 'q' },
          remoteAddress: expect.stringMatching(/127\.0\.0\.1$/),
        });
      });

      it('answers 405 with Allow on an extra route, and HEAD for a GET route', async () => {
        const url = await serve();
        const res = await fetch(`${url}/oauth/github`, { method: 'POST' });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
        const head = await fetch(`${url}/oauth/github`, { method: 'HEAD', redirect: 'manual' });
        expect(head.status).toBe(302);
        expect(await head.text()).toBe('');
      });
    });

    describe('the JWKS route', () => {
      it('serves the key set with an ETag, 304 on If-None-Match, HEAD, and 405 otherwise', async () => {
        const url = await serve();
        const res = await fetch(`${url}/.well-known/jwks.json`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
        const body = await json(res);
        expect(body.keys).toEqual([expect.objectContaining({ kid: 'test-key', kty: 'EC', crv: 'P-256' })]);
        expect(body.keys[0].d).toBeUndefined();
        const etag = res.headers.get('etag')!;
        const cached = await fetch(`${url}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } });
        expect(cached.status).toBe(304);
        const head = await fetch(`${url}/.well-known/jwks.json`, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(await head.text()).toBe('');
        const post = await fetch(`${url}/.well-known/jwks.json`, { method: 'POST' });
        expect(post.status).toBe(405);
        expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      });
    });

    describe('failed-login rate limits', () => {
      const limits = {
        account: { points: 2, blockDuration: 60 },
        address: { points: 4, blockDuration: 120 },
      };

      it('blocks an account after too many failures, even with the right password, with Retry-After', async () => {
        const url = await serve({ rateLimit: limits });
        expect((await post(url, local('ada@example.com', 'wrong1'))).status).toBe(401);
        expect((await post(url, local('ADA@example.com ', 'wrong2'))).status).toBe(401);
        const third = await post(url, local('ada@example.com', 'wrong3'));
        expect(third.status).toBe(429);
        expect(third.headers.get('retry-after')).toBe('60');
        expect(await json(third)).toEqual({
          name: 'TooManyRequests',
          message: 'Too many failed login attempts, try again later',
          code: 429,
          className: 'too-many-requests',
          data: { retryAfter: 60, reason: 'too-many-requests' },
        });
        const right = await post(url, local());
        expect(right.status).toBe(429);
        expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(55);
      });

      it('answers an unknown account exactly as a known one', async () => {
        const url = await serve({ rateLimit: { account: limits.account, address: false } });
        const statuses: number[][] = [[], []];
        const bodies: unknown[] = [];
        for (const [i, email] of ['ada@example.com', 'nobody@example.com'].entries()) {
          for (let n = 0; n < 3; n++) statuses[i]!.push((await post(url, local(email, 'wrong'))).status);
          const blocked = await post(url, local(email, 'wrong'));
          statuses[i]!.push(blocked.status);
          bodies.push({ retryAfter: blocked.headers.get('retry-after'), body: await json(blocked) });
        }
        expect(statuses[0]).toEqual([401, 401, 429, 429]);
        expect(statuses[1]).toEqual(statuses[0]);
        expect(bodies[1]).toEqual(bodies[0]);
      });

      it('never slows successful logins or token re-authentication', async () => {
        const url = await serve({ rateLimit: limits });
        for (let n = 0; n < 6; n++) expect((await post(url, local())).status).toBe(201);
        for (let n = 0; n < 6; n++)
          expect((await post(url, { strategy: 'jwt', accessToken: 'bad.token.here' })).status).toBe(401);
        expect((await post(url, local())).status).toBe(201);
      });

      it('resets the account count on a successful login', async () => {
        const url = await serve({ rateLimit: limits });
        expect((await post(url, local('ada@example.com', 'wrong'))).status).toBe(401);
        expect((await post(url, local('ada@example.com', 'wrong'))).status).toBe(401);
        expect((await post(url, local())).status).toBe(201);
        expect((await post(url, local('ada@example.com', 'wrong'))).status).toBe(401);
        expect((await post(url, local('ada@example.com', 'wrong'))).status).toBe(401);
      });

      it('blocks an address that fails across many accounts', async () => {
        const url = await serve({ rateLimit: limits });
        for (let n = 0; n < 4; n++)
          expect((await post(url, local(`user${n}@example.com`, 'x'))).status).toBe(401);
        const res = await post(url, local('another@example.com', 'x'));
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBe('120');
        expect((await post(url, local())).status).toBe(429);
      });

      it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
        const untrusted = await serve({ rateLimit: limits });
        for (let n = 0; n < 4; n++) {
          await post(untrusted, local(`user${n}@example.com`, 'x'), { 'x-forwarded-for': `203.0.113.${n}` });
        }
        expect(
          (await post(untrusted, local('z@example.com', 'x'), { 'x-forwarded-for': '203.0.113.99' })).status,
        ).toBe(429);

        const trusted = await serve({ rateLimit: limits, trustProxy: ['loopback'] });
        for (let n = 0; n < 6; n++) {
          const res = await post(trusted, local(`user${n}@example.com`, 'x'), {
            'x-forwarded-for': `203.0.113.${n}`,
          });
          expect(res.status).toBe(401);
        }
        const echo = await fetch(`${trusted}/oauth/x/callback`, {
          headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' },
        });
        expect((await json(echo)).remoteAddress).toBe('198.51.100.7');
      });

      it('can be turned off', async () => {
        const url = await serve({ rateLimit: false });
        for (let n = 0; n < 12; n++)
          expect((await post(url, local('ada@example.com', 'wrong'))).status).toBe(401);
      });
    });
  });
}
