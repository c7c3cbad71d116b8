export { ERROR_REASONS, type ErrorReason } from './reasons.ts';
export {
  AuthError,
  BadRequest,
  Conflict,
  Forbidden,
  GeneralError,
  NotAuthenticated,
  NotFound,
  Unavailable,
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
