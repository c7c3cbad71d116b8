import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bearerSetup, rejection } from '../test/fixtures.ts';
import { BadRequest, GeneralError, NotAuthenticated } from './errors.ts';
import { authenticate } from './guard.ts';

describe('authenticate(auth, ...strategies) request guard', () => {
  it('needs at least one strategy', async () => {
    const { auth } = await bearerSetup();
    for (const run of [
      () => authenticate(auth, { strategies: [] }),
      () => authenticate(auth, undefined as any),
    ]) {
      expect(run).toThrow(BadRequest);
      expect(run).toThrow('The authenticate guard needs at least one allowed strategy');
    }
  });

  it('authenticates a Fetch Request and sets authentication and the entity on it', async () => {
    const { auth, token } = await bearerSetup();
    const req = new Request('http://localhost/me', { headers: { authorization: `Bearer ${token}` } });
    const result = await authenticate(auth, 'jwt')(req);
    expect(result.user).toEqual({ id: 1, name: 'Ada' });
    expect(result.accessToken).toBe(token);
    const carried = req as Request & { authentication?: any; user?: unknown };
    expect(carried.user).toEqual({ id: 1, name: 'Ada' });
    expect(carried.authentication).toEqual({
      strategy: 'jwt',
      accessToken: token,
      payload: expect.objectContaining({ sub: '1' }),
    });
  });

  it('authenticates a Node IncomingMessage', async () => {
    const { auth, token } = await bearerSetup();
    const req = new IncomingMessage(new Socket());
    req.headers = { authorization: `Bearer ${token}` };
    await authenticate(auth, { strategies: ['jwt'] })(req);
    expect((req as any).user).toEqual({ id: 1, name: 'Ada' });
  });

  it('gives strategies params.provider (rest by default, or the configured one)', async () => {
    const { auth } = await bearerSetup();
    const seen: unknown[] = [];
    auth.register('spy', {
      parse: async () => ({ strategy: 'spy' }),
      authenticate: async (_data, params) => {
        seen.push(params);
        return { authentication: { strategy: 'spy' } };
      },
    });
    const req = new Request('http://localhost/');
    await authenticate(auth, 'spy')(req);
    await authenticate(auth, { strategies: ['spy'], provider: 'graphql' })(req);
    expect(seen).toEqual([
      { provider: 'rest', authenticated: true },
      { provider: 'graphql', authenticated: true },
    ]);
    expect((req as any).user).toBeUndefined();
    expect((req as any).authentication).toEqual({ strategy: 'spy' });
  });

  it('keeps the parsed request as req.authentication when the result has none', async () => {
    const { auth } = await bearerSetup();
    auth.register('bare', {
      parse: async () => ({ strategy: 'bare', key: 'k' }),
      authenticate: async () => ({}),
    });
    const req = new Request('http://localhost/');
    await authenticate(auth, 'bare')(req);
    expect((req as any).authentication).toEqual({ strategy: 'bare', key: 'k' });
  });

  it("rejects a request without credentials with 'Not authenticated' (no-credentials)", async () => {
    const { auth } = await bearerSetup();
    const error = await rejection(authenticate(auth, 'jwt')(new Request('http://localhost/')));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error.message).toBe('Not authenticated');
    expect(error.reason).toBe('no-credentials');
    expect(error.code).toBe(401);
  });

  it('only parses with the named strategies', async () => {
    const { auth } = await bearerSetup();
    const req = new Request('http://localhost/', { headers: { 'x-dave': '1' } });
    expect((await rejection(authenticate(auth, 'jwt')(req))).reason).toBe('no-credentials');
  });

  it("rejects an invalid token with the strategy's error", async () => {
    const { auth } = await bearerSetup();
    const req = new Request('http://localhost/', { headers: { authorization: 'Bearer a.b.forged' } });
    const error = await rejection(authenticate(auth, 'jwt')(req));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error.reason).toBe('invalid-signature');
  });

  it('rejects with 401 entity-not-found when the entity is gone', async () => {
    const { auth, users, token } = await bearerSetup();
    await users.remove(1);
    const req = new Request('http://localhost/', { headers: { authorization: `Bearer ${token}` } });
    const error = await rejection(authenticate(auth, 'jwt')(req));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error.reason).toBe('entity-not-found');
  });

  it('turns an unexpected error into a 500 GeneralError with the cause kept', async () => {
    const { auth } = await bearerSetup();
    const cause = new TypeError('database exploded at 10.0.0.3');
    auth.register('broken', { parse: () => Promise.reject(cause) });
    const error = await rejection(authenticate(auth, 'broken')(new Request('http://localhost/')));
    expect(error).toBeInstanceOf(GeneralError);
    expect(error.code).toBe(500);
    expect(error.message).toBe('General error');
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('10.0.0.3');
  });
});

describe('parseStrategies, as Feathers uses it', () => {
  it('decides which strategies read the request; the guard decides which may authenticate', async () => {
    const { auth, token } = await bearerSetup({ parseStrategies: ['jwt'] });
    const req = () => new Request('http://localhost/me', { headers: { authorization: `Bearer ${token}` } });
    expect((await authenticate(auth, 'jwt')(req())).user).toEqual({ id: 1, name: 'Ada' });
    // The token is parsed (jwt is a parse strategy) but this guard does not allow jwt to authenticate.
    const error = await rejection(authenticate(auth, 'first')(req()));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ reason: 'strategy-not-allowed' });
  });

  it('a strategy left out of parseStrategies never reads the request, even when the guard allows it', async () => {
    const { auth, token } = await bearerSetup({ parseStrategies: ['first'] });
    const error = await rejection(
      authenticate(
        auth,
        'jwt',
      )(new Request('http://localhost/me', { headers: { authorization: `Bearer ${token}` } })),
    );
    expect(error).toMatchObject({ code: 401 });
  });

  it.each([
    [
      ['jwr'],
      "'parseStrategies' lists 'jwr', which is not a registered strategy that parses requests. Did you mean 'jwt'?",
    ],
    [['local'], "'parseStrategies' lists 'local', which is not a registered strategy that parses requests"],
  ])(
    'an entry that cannot parse (%o) fails setup instead of being ignored',
    async (parseStrategies, message) => {
      const error = await rejection(bearerSetup({ parseStrategies }));
      expect(error).toBeInstanceOf(BadRequest);
      expect(error).toMatchObject({ reason: 'invalid-configuration', message });
    },
  );
});
