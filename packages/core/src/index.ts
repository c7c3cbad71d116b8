export { ERROR_REASONS, type ErrorReason } from './reasons.ts';
export {
  AuthError,
  BadRequest,
  Conflict,
  Forbidden,
  GeneralError,
  MethodNotAllowed,
  NotAuthenticated,
  NotFound,
  PayloadTooLarge,
  TooManyRequests,
  Unavailable,
  UnsupportedMediaType,
  isAuthError,
  toAuthError,
  type AuthErrorOptions,
  type ErrorJSON,
} from './errors.ts';
export type {
  EntityService,
  EntityServiceEvent,
  EntityServiceRegistry,
  Id,
  Params,
  Query,
} from './entity-service.ts';
export type {
  AuthenticationHost,
  AuthenticationRequest,
  AuthenticationResult,
  AuthenticationStrategy,
  Connection,
  ConnectionEvent,
  TokenIssuer,
  TokenRefresh,
} from './strategy.ts';
export {
  parseQuery,
  selectFields,
  type ParsedQuery,
  type QueryFilter,
  type QueryScalar,
  type QuerySort,
} from './query.ts';
export { EntityCache, type EntityCacheOptions } from './entity-cache.ts';
export { PLAIN_READ } from './plain-read.ts';
export {
  AuthenticationConfigurationSchema,
  JwtOptionsSchema,
  VerifyOptionsSchema,
  type AuthenticationConfiguration,
  type JwtOptionsConfiguration,
  type VerifyOptionsConfiguration,
} from './configuration-schema.ts';
export { DEFAULT_CONFIGURATION } from './configuration.ts';
export type { DeepReadonly } from './deep-readonly.ts';
export type { Page, PaginateOptions } from './paginate.ts';
export { AuthenticationBaseStrategy } from './base-strategy.ts';
export { AuthenticationBase, type AuthenticationServiceOptions } from './authentication-base.ts';
export { AuthenticationService, type AuthenticationParams } from './authentication-service.ts';
export {
  authenticate,
  type AuthenticateGuard,
  type AuthenticateOptions,
  type GuardedAuthentication,
} from './guard.ts';
export { authenticateMiddleware, type ConnectMiddleware } from './authenticate-middleware.ts';
export {
  fastifyAuthenticate,
  type FastifyAuthenticateHook,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from './fastify-authenticate.ts';
export { bearerChallenge } from './www-authenticate.ts';
export { errorResponse, type ErrorResponse } from './error-response.ts';
export { guard, type GuardOptions, type ServiceGuardAuthentication } from './guard-service.ts';
