import type { AuthenticationResult } from '@org/core';
import type { preHandlerAsyncHookHandler } from 'fastify';

/**
 * The type of `request.user`. Augment it with your entity's fields (they merge in; other keys stay
 * `unknown`):
 *
 * ```ts
 * declare module '@org/http/fastify' {
 *   interface FastifyAuthUser { id: number; email: string }
 * }
 * ```
 *
 * With another `authentication.entity` (say `account`), the plugin decorates `request.account`
 * instead; type it by augmenting Fastify: `declare module 'fastify' { interface FastifyRequest { account: Account } }`.
 */
export interface FastifyAuthUser {
  /** Every field of the entity; augment the interface to type yours. */
  [field: string]: unknown;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The guard as a `preHandler` (`{ preHandler: fastify.authenticate }`): authenticates with the
     * plugin's `strategies` and sets `request.user` and `request.authentication`, or replies with the
     * error (401 with `WWW-Authenticate`) and the handler never runs.
     */
    authenticate: preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /**
     * The authenticated entity, set by the `authenticate` preHandler (`null` on a route without it).
     * Typed by {@link FastifyAuthUser}.
     */
    user: FastifyAuthUser;
    /** How the request was authenticated (`{ strategy, accessToken, payload }`), set by the guard. */
    authentication: AuthenticationResult['authentication'] | null;
  }
}
