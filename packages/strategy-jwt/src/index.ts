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
export {
  ALGORITHMS,
  JWS_ALGORITHMS,
  isJwsAlgorithm,
  type AlgorithmBase,
  type AlgorithmSpec,
  type AlgorithmTable,
  type EcAlgorithmSpec,
  type EdDsaAlgorithmSpec,
  type HmacAlgorithmSpec,
  type JwsAlgorithm,
  type PssAlgorithmSpec,
  type RsaAlgorithmSpec,
} from './key-material/algorithms.ts';
export type { KeyInput, SecretInput } from './key-material/key-import.ts';
export {
  StaticKeySource,
  type ResolvedVerificationKey,
  type SigningKey,
  type SigningKeySource,
  type StaticKeyEntry,
  type VerificationKeySource,
} from './key-material/key-source.ts';
export { parseDuration, type Duration } from './shared/duration.ts';
export {
  DEFAULT_JWT_OPTIONS,
  MAX_CLOCK_TOLERANCE,
  type JwtSignOptions,
  type JwtVerifyOptions,
} from './token/options.ts';
export type { JwtPayload } from './token/claims.ts';
export type { RevocationCheck } from './token/revocation-check.ts';
export { MAX_TOKEN_LENGTH } from './token/compact-parse.ts';
export { TokenService } from './token/token-service.ts';
export type { TokenServiceOptions } from './token/token-service-options.ts';
export type { VerifiedTokenCacheOptions } from './token/verified-token-cache-options.ts';
export {
  createDenylist,
  Denylist,
  type DenylistOptions,
  type RevocablePayload,
} from './revocation/denylist.ts';
export type { RevocationSetting } from './revocation/revocation-setting.ts';
export {
  keySourceFromJwks,
  verificationKeyFromJwk,
  type JwkImportOptions,
} from './key-material/jwk-import.ts';
export { createRemoteVerifier, RemoteVerifier, type RemoteVerifierOptions } from './jwks/remote-verifier.ts';
export { JwksRefusedError } from './jwks/remote-key-set.ts';
export { KeyRing, createKeyRing } from './keys/key-ring.ts';
export type { KeyRingOptions, KeyRingSettings } from './keys/key-ring-options.ts';
export type { ClockSkew, IntegrityFailure, IntegrityReason } from './keys/key-ring-events.ts';
export {
  keyState,
  type EncryptedPrivateKey,
  type KeyInfo,
  type KeyRecord,
  type KeyState,
} from './keys/key-record.ts';
export { KEK_DERIVATION, type KekSpec } from './keys/key-encryption-key.ts';
export type { AsymmetricAlgorithm, PublicKeyJwk } from './keys/signing-key-pair.ts';
export type { KeyStore, KeyStoreEntry } from './keys/stores/key-store.ts';
export { keyvKeyStore, type KeyvKeyStoreOptions } from './keys/stores/keyv-key-store.ts';
export { sqliteKeyStore, type SqliteKeyStoreOptions } from './keys/stores/sqlite-key-store.ts';
export type {
  PostgresQueryable,
  SqliteDatabaseLike,
  SqliteStatementLike,
} from './keys/stores/store-clients.ts';
export {
  redisKeyStore,
  type RedisCommandClient,
  type RedisKeyStoreOptions,
} from './keys/stores/redis-key-store.ts';
export { postgresKeyStore, type PostgresKeyStoreOptions } from './keys/stores/postgres-key-store.ts';
export { rewrapKeyStore, type RewrapResult } from './keys/rewrap.ts';
export {
  exportJwks,
  importKeys,
  type KeyImportOptions,
  type KeyImportSource,
  type NodeJoseKeyStoreLike,
} from './keys/ring-key-import.ts';
export type { ImportedKey, KeyImportResult } from './keys/imported-key.ts';
export {
  JWTStrategy,
  type JwtStrategyConfiguration,
  type TokenExpiryEvent,
} from './strategy/jwt-strategy.ts';
export {
  type ExpiryAction,
  type JwtStrategyOptions,
  type RealtimeOptions,
  type RefreshOptions,
} from './strategy/jwt-strategy-settings.ts';
export {
  readAccessToken,
  type FetchHeaders,
  type HeaderSource,
  type ReadAccessTokenOptions,
} from './strategy/parse-header.ts';
export {
  ConnectionExpiry,
  MAX_TIMER_DELAY,
  type ConnectionExpiryOptions,
  type ExpirySchedule,
} from './strategy/connection-expiry.ts';
