import type { IncomingMessage } from 'node:http';
import { toAuthError } from './errors.ts';
import { errorResponse } from './error-response.ts';
import {
  authenticateRequest,
  authenticateRequestFromCache,
  notifyError,
  resolveAuthenticateOptions,
  type AuthenticateOptions,
  type GuardedAuthentication,
} from './guard.ts';

/** The part of a Fastify request the hook uses (typed structurally: core does not depend on Fastify). */
export interface FastifyRequestLike {
  /** The Node request. */
  raw: IncomingMessage;
}

/** The part of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  /** Sets the status code. */
  code(statusCode: number): FastifyReplyLike;
  /** Sets a header. */
  header(name: string, value: string): FastifyReplyLike;
  /** Sends the payload. */
  send(payload?: unknown): FastifyReplyLike;
}

/**
 * A Fastify `preHandler`/`onRequest` hook. Called as your own code calls it, `(request, reply)`, it
 * always returns a promise. Fastify calls it with its `done` callback too: a request the strategy's
 * caches answer then continues through `done()` at once (no promise for Fastify to wait on), and any
 * other request returns the promise, which Fastify awaits, and `done` is not called.
 */
export interface FastifyAuthenticateHook {
  (request: FastifyRequestLike, reply: FastifyReplyLike): Promise<FastifyReplyLike | undefined>;
  (
    request: FastifyRequestLike,
    reply: FastifyReplyLike,
    done: (error?: Error) => void,
  ): Promise<FastifyReplyLike | undefined> | undefined;
}

/**
 * Creates a Fastify `preHandler` hook that authenticates the request ({@link authenticate}); on failure it
 * replies with the error's status, `toJSON()` body and, on a 401, an RFC 6750 `WWW-Authenticate` header.
 *
 * @param auth - The authentication service.
 * @param settings - A strategy name, or {@link AuthenticateOptions}.
 * @param strategies - More strategy names.
 * @returns The hook; on success `request.authentication` and `request.user` (the entity) are set.
 * @throws BadRequest `invalid-configuration` (at creation) without a strategy.
 * @example
 * ```ts
 * fastify.decorateRequest('user', null);
 * fastify.decorateRequest('authentication', null);
 * fastify.get('/me', { preHandler: fastifyAuthenticate(auth, 'jwt') }, async (request) => request.user);
 * ```
 */
export function fastifyAuthenticate(
  auth: GuardedAuthentication,
  settings: string | AuthenticateOptions,
  ...strategies: string[]
): FastifyAuthenticateHook {
  const options = resolveAuthenticateOptions(settings, strategies);
  const full = async (request: FastifyRequestLike, reply: FastifyReplyLike) => {
    try {
      await authenticateRequest(auth, options, request.raw, request);
      return undefined;
    } catch (caught) {
      const error = toAuthError(caught);
      notifyError(options, error, request);
      const { status, headers, body } = errorResponse(error, options.realm);
      reply.code(status);
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
      // Fastify: an async hook that has sent a reply MUST return it, or the route handler still runs.
      return reply.send(body);
    }
  };
  // A request the caches answer goes on at once: no async frame, no work beyond the cache lookups, and
  // with Fastify's `done`, no promise for Fastify to wait a microtask turn on.
  const hook = (request: FastifyRequestLike, reply: FastifyReplyLike, done?: (error?: Error) => void) => {
    if (authenticateRequestFromCache(auth, options, request.raw, request) === undefined) {
      return full(request, reply);
    }
    if (typeof done !== 'function') return PASSED;
    done();
    return undefined;
  };
  return hook as FastifyAuthenticateHook;
}

const PASSED: Promise<undefined> = Promise.resolve(undefined);
