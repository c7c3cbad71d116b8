export {
  OAuthStrategy,
  type OAuthHandoff,
  type OAuthProfile,
  type OAuthStrategyOptions,
} from './oauth-strategy.ts';
export { OAuthCodeStrategy } from './oauth-code-strategy.ts';
export {
  oauthRoutes,
  redirectUriOf,
  type OAuthRoutesAuthentication,
  type OAuthRoutesOptions,
} from './oauth-routes.ts';
export { OAUTH_ERROR_CODES, oauthErrorCode, type OAuthErrorCode } from './oauth-error-codes.ts';
export type { OAuthLogin, ProviderProfile } from './oauth-login.ts';
export {
  BINDING_COOKIE,
  OAuthContext,
  STATE_COOKIE,
  oauthContext,
  type HandoffMode,
  type OAuthSettings,
} from './oauth-context.ts';
export { CODE_TTL_MS, OneTimeCodes, type CodeGrant } from './one-time-codes.ts';
export type { FlowState } from './flow-state.ts';
export type {
  PresetName,
  ProfileSource,
  ProviderSettings,
  ResolvedProvider,
  TokenEndpointAuthMethod,
} from './provider-settings.ts';
export { ProviderClient, type LoginChecks, type ProviderClientOptions } from './provider-client.ts';
export { resolveProvider } from './provider-settings.ts';
export { memoryCodeStore, type MemoryCodeStoreOptions, type OneTimeCodeStore } from './code-store.ts';
export { RedirectPolicy, parseOrigin, type RedirectPolicyOptions } from './redirect-policy.ts';
export { CookieSealer, MIN_SECRET_LENGTH } from './cookie-sealer.ts';
