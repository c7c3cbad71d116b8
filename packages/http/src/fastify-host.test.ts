import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { NotFound, type AuthError } from '@org/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { fastifyTransport, type FastifyAuthUser } from './fastify/index.ts';
import { createHttpTransport } from './transport.ts';
import { PASSWORD, createTestAuth } from './test-app.ts';
import { json, transportSuite, type HostFactory } from './test-transport-suite.ts';

declare module './fastify/index.ts' {
  interface FastifyAuthUser {
    id: number;
    email: string;
  }
}

async function listen(app: FastifyInstance) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Fastify: the plugin, and /me behind `fastify.authenticate`. */
const fastifyHost: HostFactory = async (transport) => {
  const app = Fastify();
  await app.register(fastifyTransport, { transport });
  app.get('/me', { preHandler: app.authenticate }, async (request) => ({
    user: request.user,
    authentication: request.authentication,
  }));
  return listen(app);
};

transportSuite('Fastify', fastifyHost);

describe('the Fastify plugin', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('types request.user by declaration merging', () => {
    expectTypeOf<FastifyAuthUser['id']>().toEqualTypeOf<number>();
    expectTypeOf<FastifyRequest['user']['email']>().toEqualTypeOf<string>();
  });

  it('answers errors of other routes in Feathers JSON: AuthErrors, validation 400s, and a generic 500', async () => {
    const { auth } = await createTestAuth();
    const errors: AuthError[] = [];
    app = Fastify();
    await app.register(fastifyTransport, {
      transport: createHttpTransport(auth, { onError: (e) => errors.push(e) }),
    });
    app.get('/messages/:id', async () => {
      throw new NotFound('No message 7');
    });
    app.post('/messages', { schema: { body: { type: 'object', required: ['text'] } } }, async () => ({}));
    app.get('/crash', async () => {
      throw new Error('relation "secret_table" does not exist');
    });
    const { url } = await listen(app);
    const missing = await fetch(`${url}/messages/7`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({
      name: 'NotFound',
      message: 'No message 7',
      code: 404,
      className: 'not-found',
      data: { reason: 'not-found' },
    });
    const invalid = await fetch(`${url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(invalid.status).toBe(400);
    expect(await json(invalid)).toMatchObject({
      name: 'BadRequest',
      message: "body must have required property 'text'",
    });
    const crash = await fetch(`${url}/crash`);
    expect(crash.status).toBe(500);
    expect(await crash.text()).not.toContain('secret_table');
    expect(errors.at(-1)?.cause).toBeInstanceOf(Error);
    // Fastify's own JSON parser still serves the other routes, with its own limit.
    const tooBig = await fetch(`${url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(tooBig.status).toBe(413);
    expect((await json(tooBig)).name).toBe('PayloadTooLarge');
  });

  it('decorates the configured entity name, and serves under a prefix', async () => {
    const { auth } = await createTestAuth({ entity: 'account' });
    app = Fastify();
    await app.register(
      async (api) => {
        await api.register(fastifyTransport, { transport: createHttpTransport(auth) });
        api.get('/me', { preHandler: api.authenticate }, async (request) => ({
          account: (request as unknown as { account: unknown }).account,
          user: request.user,
        }));
      },
      { prefix: '/api' },
    );
    const { url } = await listen(app);
    const login = await fetch(`${url}/api/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strategy: 'local', email: 'ada@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(201);
    const { accessToken, account } = await json(login);
    expect(account).toMatchObject({ id: 1 });
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    // Only the configured entity is decorated: `request.user` does not exist here.
    expect(await json(me)).toEqual({ account: expect.objectContaining({ id: 1, email: 'ada@example.com' }) });
  });

  it('fails registration without a transport or with an unknown option', async () => {
    app = Fastify();
    await expect(app.register(fastifyTransport, {} as never).ready()).rejects.toThrow(
      'fastifyTransport needs { transport }',
    );
    const { auth } = await createTestAuth();
    const other = Fastify();
    await expect(
      other
        .register(fastifyTransport, { transport: createHttpTransport(auth), strategie: ['jwt'] } as never)
        .ready(),
    ).rejects.toThrow('unknown option "strategie" (did you mean "strategies"?)');
    await other.close();
  });
});
