import type { Id, Params } from '@org/core';

/** What a provider said about the user, verified: the profile and the tokens it came with. */
export interface ProviderProfile {
  /**
   * The profile: the ID token's claims over the UserInfo response (OpenID Connect), or the provider's
   * user API (GitHub: `/user`, with the primary verified email from `/user/emails` when `email` is private).
   */
  profile: Record<string, unknown>;
  /** The provider's access token (never sent to the browser). */
  accessToken: string;
  /** The raw ID token (OpenID Connect). */
  idToken?: string;
  /** The ID token's verified claims (OpenID Connect). */
  claims?: Record<string, unknown>;
}

/** A verified login, as {@link OAuthStrategy.authenticate} receives it from the callback route. */
export interface OAuthLogin extends ProviderProfile {
  /** The provider (strategy) name. */
  provider: string;
  /** The id of the user linking this provider, from the sealed state (a verified access token at the start). */
  linkUserId?: Id;
}

/**
 * The parameter key the callback hands a verified login under. A symbol: no request body, query or
 * header can ever produce it, so `POST /authentication { strategy: 'google', profile }` finds nothing.
 */
export const OAUTH_LOGIN: unique symbol = Symbol('@org/strategy-oauth login');

/**
 * The verified login in `params`, if the callback route put one there.
 * @param params - The call parameters.
 */
export function verifiedLogin(params: Params): OAuthLogin | undefined {
  const login = (params as Record<symbol, unknown>)[OAUTH_LOGIN];
  return login !== null && typeof login === 'object' ? (login as OAuthLogin) : undefined;
}
