export { fastifyTransport, type FastifyTransportOptions } from './fastify-transport.ts';
export type { FastifyAuthUser } from './fastify-types.ts';
