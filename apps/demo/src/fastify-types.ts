// The request members the guard sets (`@org/http/fastify` declares the same once it lands on main).
import type { AuthenticationResult } from '@org/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user (without its password hash), set by the guard. */
    user: Record<string, unknown>;
    /** How the request was authenticated, set by the guard. */
    authentication: AuthenticationResult['authentication'] | null;
  }
}
