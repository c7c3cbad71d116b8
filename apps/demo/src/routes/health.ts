// Liveness for process managers and load balancers: answers once the server listens, with the key the
// ring signs with right now (a store outage past the current key's life shows as 503 here first).
import { isAuthError } from '@org/core';
import type { KeyRing } from '@org/strategy-jwt';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /health`: `200 { status: 'ok', kid }`, or `503 { status: 'unavailable' }` when the key ring has
 * no key to sign with.
 *
 * @param app - The Fastify instance.
 * @param options - The key ring.
 */
export async function healthRoutes(app: FastifyInstance, options: { keyRing: KeyRing }): Promise<void> {
  app.get('/health', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      const { kid } = await options.keyRing.getSigningKey();
      return { status: 'ok', kid };
    } catch (error) {
      if (!isAuthError(error)) throw error;
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
