// Framework servers: Fastify with our plugin (`fastify.authenticate`), and Feathers 5 on Koa and on
// Express with its own JWT strategy guarding a service through the `authenticate('jwt')` hook.
import { once } from 'node:events';
import { AUDIENCE, ISSUER, SECRET, USER } from '../token.mjs';
import { orgAuth } from './common.mjs';

/**
 * Fastify 5: `/open` answers the user, `/guarded` the same behind `fastify.authenticate`; `entityCache`
 * and `tokenCache` (verifiedTokenCache) turn the caches on.
 */
async function fastify({ entityCache = false, tokenCache = false }) {
  const { default: Fastify } = await import('fastify');
  const { createHttpTransport } = await import('@org/http');
  const { fastifyTransport } = await import('@org/http/fastify');
  const { auth } = await orgAuth({
    ...(entityCache && { entityCache: { ttl: 60_000 } }),
    ...(tokenCache && { verifiedTokenCache: true }),
  });
  const app = Fastify({ logger: false });
  await app.register(fastifyTransport, { transport: createHttpTransport(auth) });
  app.get('/open', async () => USER);
  app.get('/guarded', { preHandler: app.authenticate }, async (request) => request.user);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: app.server.address().port, close: () => app.close() };
}

/**
 * A Feathers 5 app as its generator writes it: the authentication service with Feathers' JWTStrategy,
 * a memory users service, and `/me`, a service answering the authenticated user, guarded by the
 * `authenticate('jwt')` around hook (`guarded: false` leaves the hook off and answers the bench user).
 */
async function feathersApp(app, guarded) {
  const { AuthenticationService, JWTStrategy, authenticate } = await import('@feathersjs/authentication');
  const { MemoryService } = await import('@feathersjs/memory');
  app.set('authentication', {
    secret: SECRET,
    entity: 'user',
    service: 'users',
    authStrategies: ['jwt'],
    jwtOptions: {
      header: { typ: 'access' },
      audience: AUDIENCE,
      issuer: ISSUER,
      algorithm: 'HS256',
      expiresIn: '1h',
    },
  });
  const authentication = new AuthenticationService(app);
  authentication.register('jwt', new JWTStrategy());
  app.use('authentication', authentication);
  app.use('users', new MemoryService({ store: { [USER.id]: { ...USER } } }));
  app.use('me', { find: async (params) => (guarded ? params.user : USER) });
  if (guarded) app.service('me').hooks({ around: { all: [authenticate('jwt')] } });
}

/** Feathers 5 on Koa. */
async function feathersKoa({ guarded = true }) {
  const { feathers } = await import('@feathersjs/feathers');
  const { koa, rest, bodyParser, errorHandler, parseAuthentication } = await import('@feathersjs/koa');
  const app = koa(feathers());
  app.use(errorHandler());
  app.use(parseAuthentication());
  app.use(bodyParser());
  app.configure(rest());
  await feathersApp(app, guarded);
  const server = await app.listen(0, '127.0.0.1');
  if (!server.listening) await once(server, 'listening');
  return { port: server.address().port, close: () => server.close() };
}

/** Feathers 5 on Express. */
async function feathersExpress({ guarded = true }) {
  const { feathers } = await import('@feathersjs/feathers');
  const { default: express, rest, json, errorHandler, notFound } = await import('@feathersjs/express');
  const app = express(feathers());
  app.use(json());
  app.configure(rest());
  await feathersApp(app, guarded);
  app.use(notFound());
  app.use(errorHandler({ logger: false }));
  const server = await app.listen(0, '127.0.0.1');
  if (!server.listening) await once(server, 'listening');
  return { port: server.address().port, close: () => server.close() };
}

export const frameworkServers = {
  fastify,
  'feathers-koa': feathersKoa,
  'feathers-express': feathersExpress,
};
