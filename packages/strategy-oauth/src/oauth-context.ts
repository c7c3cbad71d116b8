import type { AuthenticationHost } from '@org/core';
import { configError, didYouMean } from '@org/core/internal';
import { memoryCodeStore, type OneTimeCodeStore } from './code-store.ts';
import { CookieSealer } from './cookie-sealer.ts';
import { fromSealed, toSealed, type FlowState } from './flow-state.ts';
import { OneTimeCodes } from './one-time-codes.ts';
import { RedirectPolicy, parseOrigin } from './redirect-policy.ts';

/** How the browser gets its login after the callback. */
export type HandoffMode = 'code' | 'fragment';

/**
 * `authentication.oauth`, in Feathers' shape: `redirect`, `origins`, one section per provider
 * (`google: { key, secret, scope }`), and the settings of this package.
 */
export interface OAuthSettings {
  /** Where the browser goes after a login (an absolute URL); its origin is the default allowed one. */
  redirect: string;
  /** More allowed origins, picked by the start request's `Referer`. @defaultValue `[]` */
  origins?: readonly string[];
  /**
   * The secret (or secrets, newest first) the state cookie is sealed under, at least 32 characters.
   * @defaultValue derived from `authentication.secret` (a separate HKDF key)
   */
  secret?: string | readonly string[];
  /**
   * `'code'`: the browser gets a one-time code (`#code=`) to exchange with `POST /authentication
   * { strategy: 'oauth-code', code }`. `'fragment'`: Feathers' `#access_token=` (compatibility only: the
   * token then sits in the browser history and reaches any script on that page).
   * @defaultValue `'code'`
   */
  handoff?: HandoffMode;
  /** Seconds a started login stays valid. @defaultValue `600` */
  stateMaxAge?: number;
  /** Where one-time codes wait: a Keyv-like store shared by every instance. @defaultValue in memory */
  codeStore?: OneTimeCodeStore;
  /** The name the `OAuthCodeStrategy` is registered under. @defaultValue `'oauth-code'` */
  codeStrategy?: string;
  /** Feathers' `defaults`: `origin` (this server's public origin) and `prefix` (the routes' path). */
  defaults?: {
    /** This server's public origin, for callback URLs. @defaultValue the `redirect` origin */
    origin?: string;
    /** Where the OAuth routes are served. @defaultValue `'/oauth'` */
    prefix?: string;
  };
  /** One section per provider. */
  [provider: string]: unknown;
}

const SETTINGS = [
  'redirect',
  'origins',
  'secret',
  'handoff',
  'stateMaxAge',
  'codeStore',
  'codeStrategy',
  'defaults',
];

/** The state cookie's name. */
export const STATE_COOKIE = 'oauth_state';
/** The cookie that binds a one-time code to the browser it was issued to. */
export const BINDING_COOKIE = 'oauth_code';

/** `authentication.oauth` checked once per authentication service, shared by strategies and routes. */
export class OAuthContext {
  /** Where a login may send the browser back to. */
  readonly policy: RedirectPolicy;
  /** One-time codes. */
  readonly codes: OneTimeCodes;
  /** The hand-off mode. */
  readonly handoff: HandoffMode;
  /** Seconds a started login stays valid. */
  readonly stateMaxAge: number;
  /** The routes' path prefix. */
  readonly prefix: string;
  /** This server's public origin. */
  readonly publicOrigin: string;
  /** Whether cookies are `Secure` (the public origin is https). */
  readonly secure: boolean;
  /** The code strategy's name. */
  readonly codeStrategy: string;
  /** The raw settings (provider sections). */
  readonly settings: Readonly<OAuthSettings>;
  readonly #sealer: CookieSealer;

  /**
   * @param configuration - The authentication configuration.
   * @throws BadRequest `invalid-configuration` naming the bad setting.
   */
  constructor(configuration: Readonly<Record<string, any>>) {
    const settings = configuration.oauth as OAuthSettings | undefined;
    if (settings === null || typeof settings !== 'object') {
      throw configError(
        "OAuth needs 'authentication.oauth' with at least 'redirect' (where the browser goes back to)",
      );
    }
    for (const [key, value] of Object.entries(settings)) {
      if (SETTINGS.includes(key) || (value !== null && typeof value === 'object' && !Array.isArray(value)))
        continue;
      const hint = didYouMean(key, SETTINGS);
      throw configError(
        `Unknown setting 'authentication.oauth.${key}'${hint ? `. Did you mean '${hint}'?` : ''} (provider sections are objects)`,
      );
    }
    this.settings = settings;
    this.policy = new RedirectPolicy({ redirect: settings.redirect, origins: settings.origins });
    const { handoff = 'code', stateMaxAge = 600, codeStrategy = 'oauth-code', defaults = {} } = settings;
    if (handoff !== 'code' && handoff !== 'fragment') {
      throw configError("authentication.oauth.handoff must be 'code' (the default) or 'fragment'");
    }
    if (!Number.isSafeInteger(stateMaxAge) || stateMaxAge < 30 || stateMaxAge > 3600) {
      throw configError('authentication.oauth.stateMaxAge must be whole seconds from 30 to 3600');
    }
    if (typeof codeStrategy !== 'string' || codeStrategy === '') {
      throw configError('authentication.oauth.codeStrategy must be a strategy name');
    }
    const prefix = defaults.prefix ?? '/oauth';
    if (typeof prefix !== 'string' || !/^(\/[A-Za-z0-9\-._~]+)+$/.test(prefix)) {
      throw configError("authentication.oauth.defaults.prefix must be a path such as '/oauth'");
    }
    const store = settings.codeStore ?? memoryCodeStore();
    if (
      typeof store?.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function'
    ) {
      throw configError(
        'authentication.oauth.codeStore must have get, set and delete (a Keyv instance fits)',
      );
    }
    const secret = settings.secret ?? configuration.secret;
    if (secret === undefined) {
      throw configError(
        "OAuth needs 'authentication.oauth.secret' (or 'authentication.secret') to seal its state cookie",
      );
    }
    this.#sealer = new CookieSealer(
      secret,
      'oauth-state',
      settings.secret === undefined ? 'authentication.secret' : 'authentication.oauth.secret',
    );
    this.handoff = handoff;
    this.stateMaxAge = stateMaxAge;
    this.codeStrategy = codeStrategy;
    this.prefix = prefix;
    this.publicOrigin =
      defaults.origin === undefined
        ? this.policy.defaultOrigin
        : parseOrigin(defaults.origin, 'authentication.oauth.defaults.origin');
    this.secure = this.publicOrigin.startsWith('https:');
    this.codes = new OneTimeCodes(store);
  }

  /**
   * Seals a login's state for its cookie.
   * @param flow - The state.
   */
  seal(flow: FlowState): string {
    return this.#sealer.seal(toSealed(flow), this.stateMaxAge);
  }

  /**
   * Opens a state cookie: `undefined` when missing, tampered with, expired, or pointing at an origin or
   * path the current configuration no longer allows.
   * @param value - The cookie value.
   */
  open(value: string | undefined): FlowState | undefined {
    const flow = fromSealed(this.#sealer.open(value));
    if (flow === undefined || !this.policy.origins.includes(flow.origin)) return undefined;
    try {
      this.policy.resolve(flow.origin, flow.path);
    } catch {
      return undefined;
    }
    return flow;
  }
}

const contexts = new WeakMap<object, { configuration: unknown; context: OAuthContext }>();

/**
 * The OAuth context of an authentication service, built once from its configuration.
 * @param auth - The authentication service.
 * @throws BadRequest `invalid-configuration` for a bad `authentication.oauth`.
 */
export function oauthContext(auth: AuthenticationHost): OAuthContext {
  const cached = contexts.get(auth);
  if (cached !== undefined && cached.configuration === auth.configuration) return cached.context;
  const context = new OAuthContext(auth.configuration);
  contexts.set(auth, { configuration: auth.configuration, context });
  return context;
}
