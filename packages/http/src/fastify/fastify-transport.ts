import { fastifyAuthenticate } from '@org/core';
import { assertKnownOptions, configError } from '@org/core/internal';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpResponse } from '../http-response.ts';
import { nodeRequestInit } from '../node-handler.ts';
import type { HttpTransport } from '../transport.ts';
import './fastify-types.ts';

/** Options of the {@link fastifyTransport} plugin. */
export interface FastifyTransportOptions {
  /** The transport to serve (from `createHttpTransport`). */
  transport: HttpTransport;
  /**
   * The strategies of the `fastify.authenticate` guard.
   * @defaultValue `['jwt']`
   */
  strategies?: string[];
  /**
   * Sets an error handler on the instance that answers every error (your routes' too) in Feathers'
   * JSON: an `AuthError` as it is, Fastify's client errors (validation 400, 413, 415...) with their status
   * and message, anything else a generic 500 whose cause goes to the transport's `onError`.
   * @defaultValue `true`
   */
  errorHandler?: boolean;
}

// Every method Fastify routes by default: declaring them all on each path lets the transport answer
// 405 with `Allow` (and OPTIONS), the same as on the other hosts, instead of Fastify's 404.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function send(reply: FastifyReply, response: HttpResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  return reply.send(response.body);
}

async function plugin(fastify: FastifyInstance, options: FastifyTransportOptions): Promise<void> {
  assertKnownOptions(options ?? {}, ['transport', 'strategies', 'errorHandler'], 'fastifyTransport');
  const { transport, strategies = ['jwt'], errorHandler = true } = options ?? ({} as FastifyTransportOptions);
  if (transport === null || typeof transport !== 'object' || typeof transport.dispatch !== 'function') {
    throw configError('fastifyTransport needs { transport }: createHttpTransport(auth, options)');
  }
  // Fails registration (so `fastify.ready()`/`listen()`) when the rate limit store cannot be opened.
  await transport.ready();
  fastify.addHook('onClose', async () => transport.close());

  const entity = transport.authentication.configuration.entity;
  for (const name of ['authentication', ...(typeof entity === 'string' ? [entity] : [])]) {
    if (!fastify.hasRequestDecorator(name)) fastify.decorateRequest(name, null);
  }
  fastify.decorate(
    'authenticate',
    fastifyAuthenticate(transport.authentication, {
      strategies,
      realm: transport.realm,
      onError: (error) => transport.reportError(error),
    }) as unknown as FastifyInstance['authenticate'],
  );

  if (errorHandler) {
    fastify.setErrorHandler((error, _request, reply) => send(reply, transport.errorResponse(error)));
  }

  // The transport reads and limits bodies itself, so its routes get the same 413/415/400 as on every
  // host: in their own (encapsulated) context no Fastify parser consumes the stream.
  await fastify.register(async (routes) => {
    routes.removeAllContentTypeParsers();
    routes.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    for (const path of transport.paths) {
      routes.route({
        method: METHODS,
        url: path,
        handler: async (request: FastifyRequest, reply: FastifyReply) =>
          send(
            reply,
            await transport.dispatch(
              path,
              nodeRequestInit(request.raw),
              request.params as Record<string, string>,
            ),
          ),
      });
    }
  });
}

/**
 * The Fastify plugin: the transport's routes (`POST`/`DELETE /authentication`, the JWKS, contributed
 * routes) with the same behaviour as on the other hosts, the guard as `fastify.authenticate` (a
 * `preHandler`) setting `request.user` (or the configured entity) and `request.authentication`, and an
 * error handler answering in Feathers' JSON. Not encapsulated: the decorators and the error handler
 * apply to the instance it is registered on. It awaits `transport.ready()` at registration and closes
 * the transport when Fastify closes. Fastify's `trustProxy` is not used: the transport's `trustProxy`
 * decides the client address.
 *
 * @throws BadRequest `invalid-configuration` (at registration) without a transport or for an unknown option.
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createHttpTransport } from '@org/http';
 * import { fastifyTransport } from '@org/http/fastify';
 *
 * const app = Fastify();
 * await app.register(fastifyTransport, { transport: createHttpTransport(auth, { jwks: new JwksEndpoint(ring) }) });
 * app.get('/me', { preHandler: app.authenticate }, async (request) => request.user);
 * await app.listen({ port: 3030 });
 * ```
 */
export const fastifyTransport: FastifyPluginAsync<FastifyTransportOptions> = Object.assign(plugin, {
  // What fastify-plugin sets: the plugin shares its instance's scope (decorators, error handler).
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@org/http',
});
