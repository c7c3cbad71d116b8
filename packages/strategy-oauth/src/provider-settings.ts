import { configError, didYouMean } from '@org/core/internal';

/** How the client authenticates at the token endpoint (RFC 6749 section 2.3, OpenID Connect Core 9). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * A provider's section of the configuration, `authentication.oauth.<name>`, in Feathers' (grant's) shape:
 * `key`, `secret`, `scope`, plus `issuer` for OpenID Connect discovery.
 */
export interface ProviderSettings {
  /** The client id at the provider. */
  key: string;
  /** The client secret; omit it for a public client (`tokenEndpointAuthMethod: 'none'`). */
  secret?: string;
  /**
   * The scopes to ask for, a list or a space-separated string.
   * @defaultValue the preset's, else `['openid', 'email', 'profile']` for OpenID Connect
   */
  scope?: string | readonly string[];
  /** The OpenID Connect issuer, discovered from `<issuer>/.well-known/openid-configuration`. */
  issuer?: string;
  /**
   * A preset: `google`, `microsoft` or `github`.
   * @defaultValue the provider's name when it is a preset's
   */
  preset?: PresetName;
  /** The Microsoft Entra tenant (id or domain), for the `microsoft` preset. */
  tenant?: string;
  /** Plain OAuth 2.0: the authorization endpoint (a preset sets it; override it for GitHub Enterprise). */
  authorizationEndpoint?: string;
  /** Plain OAuth 2.0: the token endpoint. */
  tokenEndpoint?: string;
  /** Plain OAuth 2.0: the user API that returns the profile (GitHub: `https://api.github.com/user`). */
  userinfoEndpoint?: string;
  /**
   * The one JWS algorithm accepted on ID tokens (never taken from the token).
   * @defaultValue `'RS256'`
   */
  idTokenAlgorithm?: string;
  /**
   * OpenID Connect: also fetch the UserInfo endpoint (its `sub` must equal the ID token's) and merge it
   * under the ID token's claims.
   * @defaultValue `true` when the provider has one
   */
  userinfo?: boolean;
  /**
   * How the client authenticates at the token endpoint.
   * @defaultValue the preset's, else `'client_secret_basic'` (`'none'` without a secret)
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** The callback URL registered at the provider. @defaultValue `<defaults.origin><defaults.prefix>/<name>/callback` */
  redirectUri?: string;
  /** More authorization request parameters (`prompt`, `hd`, `login_hint`); protocol ones cannot be set. */
  authorizeParams?: Readonly<Record<string, string>>;
}

/** The names of the built-in presets. */
export type PresetName = 'google' | 'microsoft' | 'github';

/** How a provider's profile is read. */
export type ProfileSource = 'oidc' | 'github' | 'userinfo';

/** A provider's settings with its preset applied and everything checked. */
export interface ResolvedProvider {
  /** OpenID Connect (discovery, ID token) or plain OAuth 2.0 (endpoints, a user API). */
  kind: 'oidc' | 'oauth2';
  /** Where the profile comes from. */
  profile: ProfileSource;
  /** The client id. */
  key: string;
  /** The client secret, if any. */
  secret: string | undefined;
  /** The scopes, space-separated. */
  scope: string;
  /** The issuer (OpenID Connect). */
  issuer?: string;
  /** The authorization endpoint (plain OAuth 2.0). */
  authorizationEndpoint?: string;
  /** The token endpoint (plain OAuth 2.0). */
  tokenEndpoint?: string;
  /** The user API (plain OAuth 2.0). */
  userinfoEndpoint?: string;
  /** The ID token algorithm. */
  idTokenAlgorithm: string;
  /** Whether to fetch UserInfo (OpenID Connect). */
  userinfo: boolean | undefined;
  /** Token endpoint client authentication. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** The callback URL, if overridden. */
  redirectUri?: string;
  /** Extra authorization parameters. */
  authorizeParams: Readonly<Record<string, string>>;
}

interface Preset {
  kind: 'oidc' | 'oauth2';
  profile: ProfileSource;
  scope: readonly string[];
  issuer?: (settings: ProviderSettings) => string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
}

/** Entra's shared tenants: their discovery documents name a templated issuer that no ID token carries. */
const MULTI_TENANT = ['common', 'organizations', 'consumers'];

/** The presets: data, not branches. */
const PRESETS: Readonly<Record<PresetName, Preset>> = {
  google: {
    kind: 'oidc',
    profile: 'oidc',
    scope: ['openid', 'email', 'profile'],
    issuer: () => 'https://accounts.google.com',
  },
  microsoft: {
    kind: 'oidc',
    profile: 'oidc',
    scope: ['openid', 'email', 'profile'],
    issuer: ({ tenant }) => {
      if (typeof tenant !== 'string' || !/^[A-Za-z0-9.-]+$/.test(tenant) || MULTI_TENANT.includes(tenant)) {
        throw configError(
          `The microsoft preset needs 'tenant': your Entra tenant id or domain. ` +
            `The shared tenants (${MULTI_TENANT.join(', ')}) publish no single issuer, so ID tokens could not be checked against one`,
        );
      }
      return `https://login.microsoftonline.com/${tenant}/v2.0`;
    },
  },
  github: {
    kind: 'oauth2',
    profile: 'github',
    scope: ['read:user', 'user:email'],
    authorizationEndpoint: 'https://github.com/login/oauth/authorize',
    tokenEndpoint: 'https://github.com/login/oauth/access_token',
    userinfoEndpoint: 'https://api.github.com/user',
    tokenEndpointAuthMethod: 'client_secret_post',
  },
};

/** The settings a provider section may hold. */
const KNOWN: readonly (keyof ProviderSettings)[] = [
  'key',
  'secret',
  'scope',
  'issuer',
  'preset',
  'tenant',
  'authorizationEndpoint',
  'tokenEndpoint',
  'userinfoEndpoint',
  'idTokenAlgorithm',
  'userinfo',
  'tokenEndpointAuthMethod',
  'redirectUri',
  'authorizeParams',
];

/** Parameters the protocol owns: a configured value would weaken or break it. */
const PROTOCOL_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request',
  'request_uri',
];

/** Asymmetric JWS algorithms: an ID token is checked against the provider's published keys. */
const ID_TOKEN_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];

function safeUrl(value: unknown, setting: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    !/^https?:$/.test(url.protocol) ||
    url.username !== '' ||
    url.password !== '' ||
    url.hash !== ''
  ) {
    throw configError(`${setting} must be an absolute http(s) URL without user info or fragment`);
  }
  return value as string;
}

/**
 * Applies the preset and checks a provider section.
 *
 * @param name - The provider (strategy) name.
 * @param section - `authentication.oauth.<name>`.
 * @returns The resolved settings.
 * @throws BadRequest `invalid-configuration`: an unknown setting (did-you-mean), no `key`, neither an
 *   `issuer` nor plain OAuth 2.0 endpoints, a symmetric or unknown `idTokenAlgorithm`, a protocol
 *   parameter in `authorizeParams`, or a `microsoft` preset without a single tenant.
 */
export function resolveProvider(name: string, section: unknown): ResolvedProvider {
  const where = `authentication.oauth.${name}`;
  if (section === null || typeof section !== 'object' || Array.isArray(section)) {
    throw configError(`${where} must be an object with at least 'key' (the client id)`);
  }
  const settings = section as ProviderSettings;
  for (const key of Object.keys(settings)) {
    if ((KNOWN as readonly string[]).includes(key)) continue;
    const hint = didYouMean(key, KNOWN as readonly string[]);
    throw configError(`Unknown setting '${where}.${key}'${hint ? `. Did you mean '${hint}'?` : ''}`);
  }
  if (typeof settings.key !== 'string' || settings.key === '') {
    throw configError(`${where}.key (the client id) must be a non-empty string`);
  }
  if (settings.secret !== undefined && (typeof settings.secret !== 'string' || settings.secret === '')) {
    throw configError(`${where}.secret must be a non-empty string`);
  }
  const presetName = settings.preset ?? (Object.hasOwn(PRESETS, name) ? (name as PresetName) : undefined);
  if (presetName !== undefined && !Object.hasOwn(PRESETS, presetName)) {
    throw configError(`${where}.preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const preset: Preset | undefined = presetName === undefined ? undefined : PRESETS[presetName];
  const issuer = settings.issuer ?? preset?.issuer?.(settings);
  const kind = issuer !== undefined ? 'oidc' : (preset?.kind ?? 'oauth2');
  const resolved: ResolvedProvider = {
    kind,
    profile: kind === 'oidc' ? 'oidc' : (preset?.profile ?? 'userinfo'),
    key: settings.key,
    secret: settings.secret,
    scope: scopeOf(
      settings.scope ?? preset?.scope ?? (kind === 'oidc' ? ['openid', 'email', 'profile'] : []),
      where,
    ),
    issuer: safeUrl(issuer, `${where}.issuer`),
    authorizationEndpoint: safeUrl(
      settings.authorizationEndpoint ?? preset?.authorizationEndpoint,
      `${where}.authorizationEndpoint`,
    ),
    tokenEndpoint: safeUrl(settings.tokenEndpoint ?? preset?.tokenEndpoint, `${where}.tokenEndpoint`),
    userinfoEndpoint: safeUrl(
      settings.userinfoEndpoint ?? preset?.userinfoEndpoint,
      `${where}.userinfoEndpoint`,
    ),
    idTokenAlgorithm: settings.idTokenAlgorithm ?? 'RS256',
    userinfo: settings.userinfo,
    tokenEndpointAuthMethod:
      settings.tokenEndpointAuthMethod ??
      (settings.secret === undefined ? 'none' : (preset?.tokenEndpointAuthMethod ?? 'client_secret_basic')),
    redirectUri: safeUrl(settings.redirectUri, `${where}.redirectUri`),
    authorizeParams: checkParams(settings.authorizeParams, where),
  };
  if (
    kind === 'oauth2' &&
    (resolved.authorizationEndpoint === undefined ||
      resolved.tokenEndpoint === undefined ||
      resolved.userinfoEndpoint === undefined)
  ) {
    throw configError(
      `${where} needs an 'issuer' (OpenID Connect), a preset (google, microsoft, github), or 'authorizationEndpoint', 'tokenEndpoint' and 'userinfoEndpoint'`,
    );
  }
  if (!ID_TOKEN_ALGORITHMS.includes(resolved.idTokenAlgorithm)) {
    throw configError(
      `${where}.idTokenAlgorithm must be one of ${ID_TOKEN_ALGORITHMS.join(', ')} (never HS* or none)`,
    );
  }
  if (!AUTH_METHODS.includes(resolved.tokenEndpointAuthMethod)) {
    throw configError(`${where}.tokenEndpointAuthMethod must be one of ${AUTH_METHODS.join(', ')}`);
  }
  if (resolved.tokenEndpointAuthMethod !== 'none' && resolved.secret === undefined) {
    throw configError(`${where}.secret is needed for ${resolved.tokenEndpointAuthMethod}`);
  }
  if (settings.userinfo !== undefined && typeof settings.userinfo !== 'boolean') {
    throw configError(`${where}.userinfo must be true or false`);
  }
  return resolved;
}

function scopeOf(scope: unknown, where: string): string {
  const list = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : scope;
  if (
    !Array.isArray(list) ||
    list.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))
  ) {
    throw configError(`${where}.scope must be a list of scope tokens or a space-separated string`);
  }
  return list.join(' ');
}

function checkParams(params: unknown, where: string): Record<string, string> {
  if (params === undefined) return {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw configError(`${where}.authorizeParams must be an object of strings`);
  }
  for (const [key, value] of Object.entries(params)) {
    if (PROTOCOL_PARAMS.includes(key)) {
      throw configError(`${where}.authorizeParams cannot set '${key}': the strategy owns it`);
    }
    if (typeof value !== 'string') throw configError(`${where}.authorizeParams.${key} must be a string`);
  }
  return { ...(params as Record<string, string>) };
}
