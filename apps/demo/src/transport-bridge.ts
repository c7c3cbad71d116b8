// TEMPORARY: serves @org/http's transport on Fastify until its own plugin (`@org/http/fastify`) is on
// main; then app.ts registers that plugin instead and this file goes.
import { errorResponse, fastifyAuthenticate } from '@org/core';
import { nodeHandler, type HttpTransport } from '@org/http';
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';

/**
 * Serves the transport's paths in an encapsulated context without body parsers (the transport reads
 * bodies itself), answers every error in Feathers' JSON, and returns the `jwt` guard.
 *
 * @param app - The Fastify instance.
 * @param transport - The transport.
 * @returns The guard.
 */
export async function registerTransport(
  app: FastifyInstance,
  transport: HttpTransport,
): Promise<preHandlerHookHandler> {
  await transport.ready();
  app.addHook('onClose', async () => transport.close());
  app.decorateRequest('user', null as never);
  app.decorateRequest('authentication', null);
  app.setErrorHandler((error, _request, reply) => {
    const { status, headers, body } = errorResponse(error, transport.realm);
    if (status >= 500) transport.errorResponse(error);
    return reply.code(status).headers(headers).send(body);
  });
  const handle = nodeHandler(transport);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    for (const path of transport.paths) {
      scope.all(path, (request, reply) => {
        reply.hijack();
        void handle(request.raw, reply.raw);
      });
    }
  });
  return fastifyAuthenticate(transport.authentication, {
    strategies: ['jwt'],
    realm: transport.realm,
  }) as unknown as preHandlerHookHandler;
}
