import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { AuthenticationResult, Params, Query } from '@org/core';
import { describe, expect, it, vi } from 'vitest';
import { JWTStrategy } from './jwt-strategy.ts';
import { createTestAuth, rejection } from './test-auth.ts';

function nodeRequest(authorization: string): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = '/messages';
  req.rawHeaders = ['Authorization', authorization];
  req.headers = { authorization };
  return req;
}

describe('JWTStrategy.authenticate', () => {
  it('resolves with the token, the verified payload and the user', async () => {
    const { auth } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    const payload = await auth.verifyAccessToken(accessToken);
    const result = await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    expect(result).toEqual({
      accessToken,
      authentication: { strategy: 'jwt', accessToken, payload },
      user: { id: 1, email: 'ada@example.com', active: true },
    });
  });

  it('rejects a missing token with `No access token`', async () => {
    const { auth, strategy } = await createTestAuth();
    for (const accessToken of [undefined, '', null]) {
      const error = await rejection(strategy.authenticate({ strategy: 'jwt', accessToken }, {}));
      expect(error).toMatchObject({ message: 'No access token', reason: 'token-missing', code: 401 });
    }
    const viaService = await rejection(auth.authenticate({ strategy: 'jwt' }, {}, 'jwt'));
    expect(viaService.message).toBe('No access token');
  });

  it('rejects a token that is not a string', async () => {
    const { strategy } = await createTestAuth();
    const error = await rejection(strategy.authenticate({ strategy: 'jwt', accessToken: { a: 1 } }, {}));
    expect(error).toMatchObject({ message: 'Malformed access token', reason: 'token-malformed' });
  });

  it("passes the verifier's reasons through", async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    try {
      const { auth } = await createTestAuth();
      const malformed = await rejection(
        auth.authenticate({ strategy: 'jwt', accessToken: 'a.b.c' }, {}, 'jwt'),
      );
      expect(malformed.reason).toBe('token-malformed');
      const accessToken = await auth.createAccessToken({}, { subject: '1', expiresIn: 60 });
      vi.setSystemTime(Date.now() + 61_000);
      const expired = await rejection(auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt'));
      expect(expired.reason).toBe('token-expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('is stateless with entity: null', async () => {
    const { auth, calls } = await createTestAuth({ entity: null });
    const accessToken = await auth.createAccessToken({ userId: '123' });
    const result = await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    expect(result).toEqual({
      accessToken,
      authentication: { strategy: 'jwt', accessToken, payload: await auth.verifyAccessToken(accessToken) },
    });
    expect(calls).toEqual([]);
  });

  it('refuses a token without sub when an entity is configured', async () => {
    const { auth } = await createTestAuth();
    const accessToken = await auth.createAccessToken({ userId: '123' });
    const error = await rejection(auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt'));
    expect(error).toMatchObject({ message: 'Token has no subject', reason: 'claim-invalid' });
  });

  it('turns a missing entity into entity-not-found', async () => {
    const { auth, strategy } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '999' });
    for (const promise of [
      strategy.authenticate({ strategy: 'jwt', accessToken }, {}),
      auth.authenticate({ strategy: 'jwt', accessToken }, { provider: 'rest' }, 'jwt'),
    ]) {
      const error = await rejection(promise);
      expect(error).toMatchObject({ message: 'Entity not found', reason: 'entity-not-found', code: 401 });
    }
  });

  it('loads the entity internally, then again with the provider params for an external call', async () => {
    const { auth, calls } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });

    await auth.authenticate({ strategy: 'jwt', accessToken }, { headers: { x: '1' } }, 'jwt');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params).toEqual({ headers: { x: '1' }, authenticated: true, query: {} });

    calls.length = 0;
    await auth.authenticate({ strategy: 'jwt', accessToken }, { provider: 'rest' }, 'jwt');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.params).toEqual({ authenticated: true, query: {} });
    expect(calls[1]?.params).toEqual({
      provider: 'rest',
      authenticated: true,
      user: { id: 1, email: 'ada@example.com', active: true },
    });
  });

  it('rejects when the entity service is not registered', async () => {
    const { auth, strategy } = await createTestAuth();
    const accessToken = await auth.createAccessToken({}, { subject: '1' });
    Object.defineProperty(strategy, 'entityService', { get: () => undefined });
    const error = await rejection(strategy.authenticate({ strategy: 'jwt', accessToken }, {}));
    expect(error.message).toBe('Could not find entity service');
  });
});

describe('subclassing JWTStrategy as Feathers users do', () => {
  class CustomJWTStrategy extends JWTStrategy {
    override async getEntityQuery(_params: Params): Promise<Query> {
      return { active: true };
    }

    override async getEntityId(authResult: AuthenticationResult, _params: Params) {
      return authResult.authentication?.payload?.userId as string;
    }

    override async getEntity(id: string | number, params: Params) {
      const entity = await super.getEntity(id, params);
      return { ...entity, loadedBy: 'custom' };
    }
  }

  it('uses the overridden getEntityId, getEntityQuery and getEntity', async () => {
    const { auth, calls, store } = await createTestAuth({}, new CustomJWTStrategy());
    const accessToken = await auth.createAccessToken({ userId: '1' });
    const result = await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    expect(result.user).toEqual({ id: 1, email: 'ada@example.com', active: true, loadedBy: 'custom' });
    expect(calls[0]?.params.query).toEqual({ active: true });

    await store.patch(1, { active: false });
    const error = await rejection(auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt'));
    expect(error.reason).toBe('entity-not-found');
  });
});

describe('JWTStrategy.parse through AuthenticationService.parse', () => {
  it('reads a Bearer token from an IncomingMessage and a Fetch Request', async () => {
    const { auth } = await createTestAuth();
    expect(await auth.parse(nodeRequest('Bearer abc'), 'jwt')).toEqual({
      strategy: 'jwt',
      accessToken: 'abc',
    });
    const request = new Request('http://localhost/', { headers: { authorization: 'JWT abc' } });
    expect(await auth.parse(request, 'jwt')).toEqual({ strategy: 'jwt', accessToken: 'abc' });
  });

  it('returns null for Bearer alone and for another scheme', async () => {
    const { auth } = await createTestAuth();
    expect(await auth.parse(nodeRequest('Bearer'), 'jwt')).toBeNull();
    expect(await auth.parse(nodeRequest('MyBearerX abc'), 'jwt')).toBeNull();
  });

  it('rejects a token sent twice', async () => {
    const { auth } = await createTestAuth();
    const request = new Request('http://localhost/?access_token=b', {
      headers: { authorization: 'Bearer a' },
    });
    const error = await rejection(auth.parse(request, 'jwt'));
    expect(error).toMatchObject({
      reason: 'ambiguous-credentials',
      message: 'More than one access token in the request',
    });
  });

  it('uses the configured header and schemes', async () => {
    const { auth } = await createTestAuth({ jwt: { header: 'X-Auth', schemes: ['Token'] } });
    const request = new Request('http://localhost/', { headers: { 'x-auth': 'token abc' } });
    expect(await auth.parse(request, 'jwt')).toEqual({ strategy: 'jwt', accessToken: 'abc' });
    expect(await auth.parse(nodeRequest('Bearer abc'), 'jwt')).toBeNull();
  });
});
