export {};
export { PRIVATE_JWK_MEMBERS, toPublicJwk, toPublicJwks } from './jwks/public-jwk.ts';
export type { JwksSource } from './jwks/jwks-source.ts';
export {
  JWK_SET_MEDIA_TYPE,
  JWKS_PATH,
  JwksEndpoint,
  type JwksEndpointOptions,
  type JwksResponse,
} from './jwks/jwks-endpoint.ts';
export {
  jwksHandler,
  jwksMiddleware,
  type JwksMiddleware,
  type JwksRequestHandler,
} from './jwks/jwks-handler.ts';
export {
  jwksFastifyPlugin,
  type FastifyLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type JwksFastifyOptions,
} from './jwks/jwks-fastify.ts';
