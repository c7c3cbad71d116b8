// "Log in with ...": every provider section of `authentication.oauth` becomes an OAuthStrategy, with the
// one-time code exchange beside them. Users coming from a provider are stored with the provider's id and,
// when the provider vouches for it, their email (a taken email is a conflict, never a merge of accounts).
import type { AuthenticationService, Params } from '@org/core';
import { OAuthCodeStrategy, OAuthStrategy, type OAuthProfile } from '@org/strategy-oauth';

/** The settings of `authentication.oauth` that are not provider sections. */
const OAUTH_SETTINGS = new Set([
  'redirect',
  'origins',
  'secret',
  'handoff',
  'stateMaxAge',
  'codeStore',
  'codeStrategy',
  'defaults',
]);

/** The demo's provider strategy: Feathers' defaults, plus the verified email and the name on the user. */
export class DemoOAuthStrategy extends OAuthStrategy {
  /**
   * `{ <name>Id, email?, name? }`: the email only when the provider says it is verified.
   * @param profile - The provider's profile.
   * @param existing - The user being updated, or `null`.
   * @param params - The call parameters.
   */
  override async getEntityData(
    profile: OAuthProfile,
    existing: Record<string, any> | null,
    params: Params,
  ): Promise<Record<string, unknown>> {
    const data = await super.getEntityData(profile, existing, params);
    const verified = profile.email_verified === true || profile.email_verified === 'true';
    if (existing === null && verified && typeof profile.email === 'string') data.email = profile.email;
    if (typeof profile.name === 'string') data.name = profile.name;
    return data;
  }
}

/**
 * The provider names configured in `authentication.oauth` (its object-valued sections).
 * @param settings - The `authentication` section.
 */
export function oauthProviderNames(settings: Record<string, unknown>): string[] {
  const oauth = settings.oauth;
  if (oauth === null || typeof oauth !== 'object') return [];
  return Object.entries(oauth)
    .filter(
      ([key, value]) =>
        !OAUTH_SETTINGS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value),
    )
    .map(([key]) => key);
}

/**
 * Registers a strategy per provider and the `oauth-code` exchange.
 * @param auth - The authentication service, before `setup()`.
 * @param names - From {@link oauthProviderNames}.
 * @param allowInsecureLoopback - Accept an `http:` provider on loopback (the development provider).
 */
export function registerOAuth(
  auth: AuthenticationService,
  names: readonly string[],
  allowInsecureLoopback: boolean,
): void {
  for (const name of names) auth.register(name, new DemoOAuthStrategy({ allowInsecureLoopback }));
  if (names.length > 0) auth.register('oauth-code', new OAuthCodeStrategy());
}

/**
 * The label of a provider's button: "Log in with <label>".
 * @param name - The provider name.
 */
export function providerLabel(name: string): string {
  return name === 'test' ? 'the test provider' : name.charAt(0).toUpperCase() + name.slice(1);
}
