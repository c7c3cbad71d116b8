import { NotAuthenticated, Unavailable, isAuthError, type AuthError } from '@org/core';
import { configError } from '@org/core/internal';
import * as client from 'openid-client';
import type { ProviderProfile } from './oauth-login.ts';
import type { ResolvedProvider } from './provider-settings.ts';

/** Options of a {@link ProviderClient} that only code can set (never a configuration file). */
export interface ProviderClientOptions {
  /**
   * The `fetch` used for every request to the provider (a proxy agent, mTLS, tests).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch;
  /**
   * Accept `http:` provider URLs on loopback (127.0.0.0/8, `::1`, `localhost`): for tests and a local
   * development provider only. Any other `http:` URL is refused whatever this says.
   * @defaultValue `false`
   */
  allowInsecureLoopback?: boolean;
}

/** The checks one login carries from its start to its callback. */
export interface LoginChecks {
  /** The `state` sent. */
  state: string;
  /** The `nonce` sent (OpenID Connect). */
  nonce?: string;
  /** The PKCE verifier. */
  verifier: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

function isInsecure(url: string | undefined): boolean {
  return url !== undefined && new URL(url).protocol === 'http:';
}

/** Maps what the protocol library threw to a typed error: the provider down, or its answer refused. */
function toLoginError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  for (
    let e = error as { name?: unknown; message?: unknown; status?: unknown; cause?: unknown } | undefined,
      i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    const unreachable =
      (e.name === 'TypeError' && /fetch failed/i.test(String(e.message))) ||
      e.name === 'AbortError' ||
      e.name === 'TimeoutError' ||
      (typeof e.status === 'number' && e.status >= 500);
    if (unreachable) {
      return new Unavailable('The provider could not be reached', {
        reason: 'provider-unavailable',
        cause: error,
      });
    }
  }
  return new NotAuthenticated("The provider's answer did not verify", {
    reason: 'invalid-credentials',
    cause: error,
  });
}

/**
 * One provider's protocol, through `openid-client` (on `oauth4webapi`): discovery, the authorization URL
 * with PKCE S256 (always), `state` and `nonce`, and the callback: RFC 9207 `iss` checked when the
 * provider sends or promises it, the code exchanged with the verifier, the ID token's signature checked
 * against the provider's JWKS with the one configured algorithm, its `iss`, `aud`, `exp` and `nonce`
 * checked; then the profile (ID token claims and UserInfo, or the provider's user API).
 *
 * @example
 * ```ts
 * const provider = new ProviderClient('google', resolveProvider('google', { key, secret }));
 * const url = await provider.authorizationUrl({ state, nonce, verifier }, 'https://api.example.com/oauth/google/callback');
 * ```
 */
export class ProviderClient {
  /** The provider (strategy) name. */
  readonly name: string;
  /** The resolved settings. */
  readonly settings: ResolvedProvider;
  readonly #options: ProviderClientOptions;
  #config: Promise<client.Configuration> | undefined;

  /**
   * @param name - The provider name.
   * @param settings - From `resolveProvider`.
   * @param options - `fetch`, `allowInsecureLoopback`.
   * @throws BadRequest `invalid-configuration` for an `http:` provider URL that is not loopback, or any
   *   `http:` one without `allowInsecureLoopback`.
   */
  constructor(name: string, settings: ResolvedProvider, options: ProviderClientOptions = {}) {
    this.name = name;
    this.settings = settings;
    this.#options = options;
    for (const url of [
      settings.issuer,
      settings.authorizationEndpoint,
      settings.tokenEndpoint,
      settings.userinfoEndpoint,
    ]) {
      if (!isInsecure(url)) continue;
      if (!options.allowInsecureLoopback || !LOOPBACK.test(new URL(url!).hostname)) {
        throw configError(
          `authentication.oauth.${name}: the provider URL ${url} is not https (http is accepted only on loopback with the allowInsecureLoopback option, for tests and local development)`,
        );
      }
    }
  }

  get #insecure(): boolean {
    const { issuer, authorizationEndpoint, tokenEndpoint, userinfoEndpoint } = this.settings;
    return [issuer, authorizationEndpoint, tokenEndpoint, userinfoEndpoint].some(isInsecure);
  }

  #clientAuth(): client.ClientAuth {
    const { tokenEndpointAuthMethod, secret } = this.settings;
    if (tokenEndpointAuthMethod === 'none') return client.None();
    return tokenEndpointAuthMethod === 'client_secret_post'
      ? client.ClientSecretPost(secret)
      : client.ClientSecretBasic(secret);
  }

  async #discover(): Promise<client.Configuration> {
    const { kind, key, issuer, idTokenAlgorithm } = this.settings;
    const execute = [
      client.enableNonRepudiationChecks,
      ...(this.#insecure ? [client.allowInsecureRequests] : []),
    ];
    const metadata = { id_token_signed_response_alg: idTokenAlgorithm };
    const fetchOption = this.#options.fetch
      ? { [client.customFetch]: this.#options.fetch as unknown as client.CustomFetch }
      : {};
    if (kind === 'oidc') {
      return client.discovery(new URL(issuer!), key, metadata, this.#clientAuth(), {
        execute,
        ...fetchOption,
      });
    }
    const { authorizationEndpoint, tokenEndpoint } = this.settings;
    const config = new client.Configuration(
      // Plain OAuth 2.0 has no issuer identifier: the authorization server's origin stands for it.
      {
        issuer: new URL(authorizationEndpoint!).origin,
        authorization_endpoint: authorizationEndpoint,
        token_endpoint: tokenEndpoint,
      },
      key,
      {},
      this.#clientAuth(),
    );
    if (this.#insecure) client.allowInsecureRequests(config);
    if (this.#options.fetch)
      config[client.customFetch] = this.#options.fetch as unknown as client.CustomFetch;
    return config;
  }

  /**
   * The provider's configuration, discovered once (a failed discovery is retried on the next login).
   * @throws Unavailable `provider-unavailable` when discovery fails.
   */
  async configuration(): Promise<client.Configuration> {
    this.#config ??= this.#discover().catch((error: unknown) => {
      this.#config = undefined;
      throw toLoginError(error) instanceof Unavailable
        ? toLoginError(error)
        : new Unavailable('The provider configuration could not be discovered', {
            reason: 'provider-unavailable',
            cause: error,
          });
    });
    return this.#config;
  }

  /**
   * A new login's checks: random `state`, PKCE verifier, and `nonce` for OpenID Connect.
   */
  newChecks(): LoginChecks {
    return {
      state: client.randomState(),
      verifier: client.randomPKCECodeVerifier(),
      ...(this.settings.kind === 'oidc' ? { nonce: client.randomNonce() } : {}),
    };
  }

  /**
   * The authorization URL to send the browser to.
   * @param checks - From {@link newChecks}.
   * @param redirectUri - The callback URL.
   * @throws Unavailable `provider-unavailable` when discovery fails.
   */
  async authorizationUrl(checks: LoginChecks, redirectUri: string): Promise<URL> {
    const config = await this.configuration();
    return client.buildAuthorizationUrl(config, {
      ...this.settings.authorizeParams,
      redirect_uri: redirectUri,
      scope: this.settings.scope,
      state: checks.state,
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      ...(checks.nonce === undefined ? {} : { nonce: checks.nonce }),
    });
  }

  /**
   * Finishes a login at the callback: verifies the authorization response, exchanges the code, verifies
   * the ID token, and reads the profile.
   * @param callbackUrl - The callback URL with the request's query.
   * @param checks - The login's checks from the sealed cookie.
   * @returns The verified profile and tokens.
   * @throws NotAuthenticated `invalid-credentials` when anything does not verify.
   * @throws Unavailable `provider-unavailable` when the provider cannot be reached.
   */
  async finish(callbackUrl: URL, checks: LoginChecks): Promise<ProviderProfile> {
    try {
      const config = await this.configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        ...(checks.nonce === undefined ? {} : { expectedNonce: checks.nonce }),
        idTokenExpected: this.settings.kind === 'oidc',
      });
      const claims = tokens.claims();
      const profile =
        this.settings.kind === 'oidc'
          ? await this.#oidcProfile(config, tokens.access_token, claims!)
          : await this.#apiProfile(config, tokens.access_token);
      return {
        profile,
        accessToken: tokens.access_token,
        ...(tokens.id_token === undefined ? {} : { idToken: tokens.id_token }),
        ...(claims === undefined ? {} : { claims: { ...claims } }),
      };
    } catch (error) {
      throw toLoginError(error);
    }
  }

  async #oidcProfile(
    config: client.Configuration,
    accessToken: string,
    claims: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const wanted = this.settings.userinfo ?? config.serverMetadata().userinfo_endpoint !== undefined;
    if (!wanted) return { ...claims };
    // The UserInfo `sub` must be the ID token's (OpenID Connect Core 5.3.2): checked by the library.
    const info = await client.fetchUserInfo(config, accessToken, claims.sub as string);
    return { ...info, ...claims };
  }

  async #getJson(config: client.Configuration, accessToken: string, url: string): Promise<unknown> {
    const headers = new Headers({ accept: 'application/json' });
    const response = await client.fetchProtectedResource(
      config,
      accessToken,
      new URL(url),
      'GET',
      undefined,
      headers,
    );
    if (!response.ok) {
      throw Object.assign(new Error(`The user API answered ${response.status}`), { status: response.status });
    }
    return response.json();
  }

  async #apiProfile(config: client.Configuration, accessToken: string): Promise<Record<string, unknown>> {
    const url = this.settings.userinfoEndpoint!;
    const user = await this.#getJson(config, accessToken, url);
    if (user === null || typeof user !== 'object' || Array.isArray(user)) {
      throw new Error('The user API did not answer with an object');
    }
    const profile = { ...(user as Record<string, unknown>) };
    if (this.settings.profile === 'github' && (typeof profile.email !== 'string' || profile.email === '')) {
      // GitHub leaves `email` null unless it is public; the primary verified one comes from /user/emails.
      const emails = await this.#getJson(config, accessToken, `${url.replace(/\/$/, '')}/emails`).catch(
        () => [],
      );
      const primary = Array.isArray(emails)
        ? (emails as Array<Record<string, unknown>>).find((e) => e?.primary === true && e?.verified === true)
        : undefined;
      if (typeof primary?.email === 'string') profile.email = primary.email;
    }
    return profile;
  }
}
