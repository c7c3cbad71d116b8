import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearerSetup } from '../test/fixtures.ts';
import { BadRequest } from './errors.ts';
import { fastifyAuthenticate } from './fastify-authenticate.ts';

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(hook: ReturnType<typeof fastifyAuthenticate>): Promise<FastifyInstance> {
  app = Fastify();
  app.decorateRequest('user', null);
  app.decorateRequest('authentication', null);
  app.get('/me', { preHandler: hook }, async (request) => ({
    user: (request as any).user,
    authentication: (request as any).authentication,
  }));
  await app.ready();
  return app;
}

describe('fastifyAuthenticate (Fastify preHandler)', () => {
  it('needs at least one strategy', async () => {
    const { auth } = await bearerSetup();
    expect(() => fastifyAuthenticate(auth, { strategies: [] })).toThrow(BadRequest);
  });

  it('an onError that throws is caught and logged: the client still gets the real 401, not a 500', async () => {
    const { auth } = await bearerSetup();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const onError = () => {
        throw new Error('logger is down');
      };
      const server = await build(fastifyAuthenticate(auth, { strategies: ['jwt'], onError }));
      const res = await server.inject({ url: '/me' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ name: 'NotAuthenticated', data: { reason: 'no-credentials' } });
      expect(warn).toHaveBeenCalledWith(
        "The authenticate guard's onError callback threw (Error); the error response was sent anyway",
        { code: 'ORG_AUTH_ONERROR_FAILED' },
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('sets request.authentication and request.user', async () => {
    const { auth, token } = await bearerSetup();
    const server = await build(fastifyAuthenticate(auth, 'jwt'));
    const res = await server.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: { id: 1, name: 'Ada' },
      authentication: { strategy: 'jwt', accessToken: token, payload: expect.objectContaining({ sub: '1' }) },
    });
  });

  it('replies 401 with the error JSON and a bare challenge without credentials; the handler never runs', async () => {
    const { auth } = await bearerSetup();
    const server = await build(fastifyAuthenticate(auth, { strategies: ['jwt'], realm: 'fastify' }));
    const res = await server.inject({ url: '/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="fastify"');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      name: 'NotAuthenticated',
      message: 'Not authenticated',
      code: 401,
      className: 'not-authenticated',
      data: { reason: 'no-credentials' },
    });
  });

  it('replies 401 invalid_token for a bad token, and 500 for an unexpected failure', async () => {
    const { auth } = await bearerSetup();
    auth.register('broken', { parse: () => Promise.reject(new Error('internal detail')) });
    const server = await build(fastifyAuthenticate(auth, 'jwt'));
    const bad = await server.inject({ url: '/me', headers: { authorization: 'Bearer x.y.z' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Invalid token"',
    );
    await app?.close();
    const broken = await build(fastifyAuthenticate(auth, 'broken'));
    const res = await broken.inject({ url: '/me' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('internal detail');
    expect(res.json().name).toBe('GeneralError');
  });
});
