export { createHttpTransport, type HttpTransport, type HttpTransportOptions } from './transport.ts';
export type { HttpMethod, HttpRequest, HttpRequestInit } from './http-request.ts';
export {
  httpErrorResponse,
  jsonResponse,
  redirectResponse,
  type HttpResponse,
  type RedirectStatus,
} from './http-response.ts';
export type { HttpRoute } from './http-route.ts';
export { parseCookies, serializeCookie, type CookieOptions } from './cookies.ts';
export { DEFAULT_JWKS_PATH, type JwksResponder } from './jwks-route.ts';
export { nodeHandler, type NodeHandler } from './node-handler.ts';
export {
  fetchHandler,
  type FetchContext,
  type FetchHandler,
  type FetchHandlerOptions,
} from './fetch-handler.ts';
export {
  DEFAULT_ACCOUNT_LIMIT,
  DEFAULT_ADDRESS_LIMIT,
  type LoginRateLimitOptions,
  type RateLimitBounds,
} from './login-rate-limit.ts';
export { memoryRateLimitStore, type LimiterSettings, type RateLimitStore } from './rate-limit-store.ts';
export {
  redisRateLimitStore,
  type RedisClientLike,
  type RedisRateLimitStoreOptions,
} from './redis-rate-limit-store.ts';
export {
  postgresRateLimitStore,
  type PostgresPoolLike,
  type PostgresRateLimitStoreOptions,
} from './postgres-rate-limit-store.ts';
