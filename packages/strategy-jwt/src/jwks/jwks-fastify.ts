import { JWKS_PATH, JwksEndpoint, type JwksEndpointOptions } from './jwks-endpoint.ts';
import type { JwksSource } from './jwks-source.ts';

/**
 * The part of a Fastify instance the plugin uses, typed structurally so that this package has no
 * runtime dependency on Fastify.
 */
export interface FastifyLike {
  /** Registers a route (Fastify's full route declaration). */
  route(options: {
    method: string[];
    url: string;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => unknown;
  }): unknown;
  /** Registers a lifecycle hook. */
  addHook(name: 'onClose', hook: (instance: unknown) => Promise<void>): unknown;
}

/** The part of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  /** The HTTP method. */
  method: string;
  /** The request headers. */
  headers: Record<string, string | string[] | undefined>;
}

/** The part of a Fastify reply the plugin writes. */
export interface FastifyReplyLike {
  /** Sets the status. */
  code(status: number): FastifyReplyLike;
  /** Sets headers. */
  headers(values: Record<string, string>): FastifyReplyLike;
  /** Sends the body. */
  send(payload?: Buffer): unknown;
}

/** Options of {@link jwksFastifyPlugin}: the source plus the endpoint options. */
export interface JwksFastifyOptions extends JwksEndpointOptions {
  /** The key ring (or any {@link JwksSource}) to publish. */
  source: JwksSource;
}

// Every method Fastify routes by default; declaring them all lets us answer 405 with `Allow`
// instead of Fastify's 404 for an unknown method.
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A Fastify plugin serving the JWKS on `options.path` (see {@link jwksHandler} for the behaviour).
 * The endpoint stops following the source when Fastify closes.
 *
 * @param fastify - The Fastify instance (typed structurally).
 * @param options - The source, path, cache lifetime cap and clock.
 * @throws BadRequest `invalid-configuration` at registration on a bad source or option.
 * @example
 * ```ts
 * await app.register(jwksFastifyPlugin, { source: keyRing, maxAge: 600 });
 * ```
 */
export async function jwksFastifyPlugin(fastify: FastifyLike, options: JwksFastifyOptions): Promise<void> {
  const endpoint = new JwksEndpoint(options?.source, options);
  fastify.route({
    method: METHODS,
    url: options.path ?? JWKS_PATH,
    handler: (request, reply) => {
      const { status, headers, body } = endpoint.respond(request.method, request.headers['if-none-match']);
      return reply.code(status).headers(headers).send(body);
    },
  });
  fastify.addHook('onClose', async () => endpoint.close());
}
