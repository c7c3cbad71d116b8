import {
  AuthenticationBaseStrategy,
  Conflict,
  GeneralError,
  NotAuthenticated,
  type AuthenticationHost,
  type AuthenticationRequest,
  type AuthenticationResult,
  type EntityService,
  type Id,
  type Params,
  type Query,
} from '@org/core';
import { configError } from '@org/core/internal';
import { oauthContext, type OAuthContext } from './oauth-context.ts';
import type { OAuthErrorCode } from './oauth-error-codes.ts';
import { verifiedLogin, type OAuthLogin } from './oauth-login.ts';
import { ProviderClient, type ProviderClientOptions } from './provider-client.ts';
import { resolveProvider, type ResolvedProvider } from './provider-settings.ts';

/** Options of the {@link OAuthStrategy} constructor: what only code, never a configuration file, sets. */
export type OAuthStrategyOptions = ProviderClientOptions;

/** A provider profile: whatever the provider returned (`sub` or `id`, `email`, `name`...). */
export type OAuthProfile = Record<string, any>;

/** What the browser is sent back with; exactly one member is set. */
export interface OAuthHandoff {
  /** The one-time code (`handoff: 'code'`, the default). */
  code?: string;
  /** The access token (`handoff: 'fragment'`, Feathers compatibility). */
  accessToken?: string;
  /** An error code of the fixed vocabulary. */
  error?: OAuthErrorCode;
}

/**
 * "Log in with ...": one OAuth 2.0 / OpenID Connect provider, registered under its name and configured
 * in `authentication.oauth.<name>`, with Feathers' overridable methods (`getProfile`, `getEntityQuery`,
 * `getEntityData`, `findEntity`, `createEntity`, `updateEntity`, `getCurrentEntity`, `getEntity`,
 * `getRedirect`). The protocol is `openid-client`'s; the routes of `oauthRoutes()` drive it.
 *
 * It authenticates only a login its own callback verified (handed over under a symbol no request can
 * produce): `POST /authentication { strategy: 'google', ... }` is refused even when listed in
 * `authStrategies`. A user who is logged in links the provider to their account; a provider account
 * already linked to another user is refused (`Conflict`), never silently switched.
 *
 * @example
 * ```ts
 * const auth = new AuthenticationService(
 *   {
 *     secret: process.env.AUTH_SECRET,
 *     service: 'users',
 *     authStrategies: ['jwt', 'local', 'oauth-code'],
 *     oauth: {
 *       redirect: 'https://app.example.com/login',
 *       google: { key: process.env.GOOGLE_CLIENT_ID, secret: process.env.GOOGLE_CLIENT_SECRET },
 *       github: { key: process.env.GITHUB_CLIENT_ID, secret: process.env.GITHUB_CLIENT_SECRET },
 *     },
 *   },
 *   { services: { users } },
 * );
 * auth.register('jwt', new JWTStrategy());
 * auth.register('google', new OAuthStrategy());
 * auth.register('github', new OAuthStrategy());
 * auth.register('oauth-code', new OAuthCodeStrategy());
 * await auth.setup();
 * const transport = createHttpTransport(auth, { routes: oauthRoutes(auth) });
 * // GET /oauth/google starts; the callback sends the browser to https://app.example.com/login#code=...
 * ```
 */
export class OAuthStrategy extends AuthenticationBaseStrategy {
  readonly #options: OAuthStrategyOptions;
  #client: ProviderClient | undefined;

  /** @param options - `fetch` and `allowInsecureLoopback` for the provider's requests. */
  constructor(options: OAuthStrategyOptions = {}) {
    super();
    this.#options = { ...options };
  }

  /** `authentication.oauth.<name>` with the service-level `entity`, `service` and `entityId`. */
  override get configuration(): Record<string, any> {
    const auth = this.authentication?.configuration ?? {};
    const oauth = (auth.oauth ?? {}) as Record<string, unknown>;
    const own = this.name !== undefined && Object.hasOwn(oauth, this.name) ? oauth[this.name] : undefined;
    return { entity: auth.entity, service: auth.service, entityId: auth.entityId, ...(own as object) };
  }

  /** The shared OAuth settings (redirect policy, state sealing, one-time codes). */
  get context(): OAuthContext {
    if (this.authentication === undefined)
      throw new GeneralError(`The '${this.name}' strategy is not registered`);
    return oauthContext(this.authentication);
  }

  /** The provider's protocol client. */
  get client(): ProviderClient {
    return (this.#client ??= new ProviderClient(this.name!, this.#resolve(), this.#options));
  }

  #resolve(): ResolvedProvider {
    const oauth = (this.authentication?.configuration.oauth ?? {}) as Record<string, unknown>;
    return resolveProvider(this.name!, Object.hasOwn(oauth, this.name!) ? oauth[this.name!] : undefined);
  }

  /** Called by the service on register; a new service means new settings. @param auth - The service. */
  override setAuthentication(auth: AuthenticationHost): void {
    super.setAuthentication(auth);
    this.#client = undefined;
  }

  /**
   * Checks `authentication.oauth` and this provider's section when the strategy is registered.
   * @throws BadRequest `invalid-configuration` naming the setting (see `resolveProvider` and `OAuthContext`).
   */
  override verifyConfiguration(): void {
    void this.context;
    this.#client = new ProviderClient(this.name!, this.#resolve(), this.#options);
    const { entity } = this.configuration;
    if (typeof entity !== 'string' || entity === '') {
      throw configError(
        `The '${this.name}' OAuth strategy needs an entity: 'entity' must be a name, not null`,
      );
    }
  }

  /**
   * Checks, once the service is set up, that the entity service exists and that the one-time code
   * strategy is registered and allowed to log in (else the browser could never exchange its code).
   * @param auth - The authentication service.
   * @throws BadRequest `invalid-configuration`.
   */
  override async setup(auth?: AuthenticationHost): Promise<void> {
    await super.setup(auth);
    if (this.entityService === undefined) {
      throw configError(
        `The '${this.name}' strategy's entity service '${this.configuration.service}' does not exist`,
      );
    }
    const { codeStrategy } = this.context;
    const host = this.authentication as AuthenticationHost & { getStrategy?(name: string): unknown };
    const registered = host.getStrategy?.(codeStrategy);
    if (registered === undefined || typeof (registered as { redeem?: unknown }).redeem !== 'function') {
      throw configError(
        `OAuth logins are exchanged through the '${codeStrategy}' strategy: auth.register('${codeStrategy}', new OAuthCodeStrategy())`,
      );
    }
    if (!((host.configuration.authStrategies ?? []) as string[]).includes(codeStrategy)) {
      throw configError(
        `Add '${codeStrategy}' to authentication.authStrategies so the browser can exchange its login code`,
      );
    }
  }

  #service(): EntityService {
    const service = this.entityService;
    if (service === undefined)
      throw new GeneralError(`The '${this.name}' strategy's entity service is not registered`);
    return service;
  }

  /** The entity id field. */
  get entityIdField(): string {
    return this.configuration.entityId ?? this.#service().id ?? 'id';
  }

  /**
   * The user's profile from a verified login: by default the provider's (ID token claims over UserInfo,
   * or the user API). Override it to read more from the provider with `login.accessToken`.
   * @param login - The verified login.
   * @param _params - The call parameters.
   */
  async getProfile(login: OAuthLogin, _params: Params): Promise<OAuthProfile> {
    return login.profile;
  }

  /** The provider's id for the user: `profile.sub` (OpenID Connect) or `profile.id` (OAuth 2.0 APIs). */
  #providerId(profile: OAuthProfile): string | number {
    const id = profile.sub ?? profile.id;
    if ((typeof id !== 'string' || id === '') && !(typeof id === 'number' && Number.isSafeInteger(id))) {
      throw new NotAuthenticated("The provider's profile has no user id", { reason: 'invalid-credentials' });
    }
    return id;
  }

  /**
   * The query that finds the entity linked to this profile.
   * @param profile - The profile.
   * @param _params - The call parameters.
   * @returns `{ [`${name}Id`]: profile.sub ?? profile.id }`.
   */
  async getEntityQuery(profile: OAuthProfile, _params: Params): Promise<Query> {
    return { [`${this.name}Id`]: this.#providerId(profile) };
  }

  /**
   * The data written on create and update. Emails are not matched to existing accounts: a provider
   * that lets users claim any email would otherwise hand over those accounts.
   * @param profile - The profile.
   * @param _existing - The entity being updated, or `null` on create.
   * @param _params - The call parameters.
   * @returns `{ [`${name}Id`]: profile.sub ?? profile.id }`.
   */
  async getEntityData(
    profile: OAuthProfile,
    _existing: Record<string, any> | null,
    _params: Params,
  ): Promise<Record<string, unknown>> {
    return { [`${this.name}Id`]: this.#providerId(profile) };
  }

  /**
   * The entity linked to this profile, or `null`.
   * @param profile - The profile.
   * @param params - The call parameters (without `provider`).
   */
  async findEntity(profile: OAuthProfile, params: Params): Promise<Record<string, any> | null> {
    const query = await this.getEntityQuery(profile, params);
    const result = await this.#service().find({ ...params, query: { ...query, $limit: 1 } });
    const list = Array.isArray(result) ? result : result.data;
    return list?.[0] ?? null;
  }

  /**
   * Creates the entity for a first login.
   * @param profile - The profile.
   * @param params - The call parameters (without `provider`).
   */
  async createEntity(profile: OAuthProfile, params: Params): Promise<Record<string, any>> {
    return this.#service().create(await this.getEntityData(profile, null, params), params);
  }

  /**
   * Updates the entity on a later login or a link.
   * @param entity - The entity.
   * @param profile - The profile.
   * @param params - The call parameters (without `provider`).
   */
  async updateEntity(
    entity: Record<string, any>,
    profile: OAuthProfile,
    params: Params,
  ): Promise<Record<string, any>> {
    const id = entity[this.entityIdField] as Id;
    return this.#service().patch(id, await this.getEntityData(profile, entity, params), params);
  }

  /**
   * The logged-in user linking this provider, or `null` for a plain login.
   * @param login - The verified login (`linkUserId` from the sealed state).
   * @param params - The call parameters (without `provider`).
   * @throws NotAuthenticated `entity-not-found` when that user no longer exists.
   */
  async getCurrentEntity(login: OAuthLogin, params: Params): Promise<Record<string, any> | null> {
    if (login.linkUserId === undefined) return null;
    return this.#service().get(login.linkUserId, params);
  }

  /**
   * The entity for the result: as it is for an internal call, fetched again with `get` for an external
   * one (so the service's own rules, such as `protect()`, apply).
   * @param entity - The entity.
   * @param params - The call parameters.
   */
  async getEntity(entity: Record<string, any>, params: Params): Promise<Record<string, any>> {
    if (!params.provider) return entity;
    return this.#service().get(entity[this.entityIdField] as Id, {
      ...params,
      [this.configuration.entity]: entity,
    });
  }

  /**
   * Where the browser goes after the callback: `target` with `#code=` (default), `#access_token=`
   * (`handoff: 'fragment'`), or `?error=`. Whatever an override returns is checked against the allowed
   * origins before it is used.
   * @param handoff - The code, token or error.
   * @param target - The allowed target this login was started for.
   * @param _params - The call parameters.
   * @returns The absolute URL.
   */
  async getRedirect(handoff: OAuthHandoff, target: URL, _params: Params): Promise<string> {
    const url = new URL(target);
    if (handoff.error !== undefined) {
      url.searchParams.set('error', handoff.error);
      return url.href;
    }
    const fragment: Record<string, string> =
      handoff.code !== undefined ? { code: handoff.code } : { access_token: handoff.accessToken ?? '' };
    url.hash = new URLSearchParams(fragment).toString();
    return url.href;
  }

  /**
   * Logs in (or links) with a login the callback route verified: finds the entity by the provider id and
   * updates it, or creates it; when linking, updates the logged-in user.
   * @param _data - `{ strategy }`; nothing else is read from it.
   * @param params - The call parameters, holding the verified login.
   * @returns `{ authentication: { strategy }, [entity]: entity }`.
   * @throws NotAuthenticated `strategy-not-allowed` without a verified login (any request from outside).
   * @throws Conflict `conflict` when linking a provider account that another user already has.
   */
  async authenticate(_data: AuthenticationRequest, params: Params): Promise<AuthenticationResult> {
    const login = verifiedLogin(params);
    if (login === undefined || login.provider !== this.name) {
      throw new NotAuthenticated(`The '${this.name}' strategy logs in only through its OAuth callback`, {
        reason: 'strategy-not-allowed',
      });
    }
    const { provider: _provider, ...internal } = params;
    const profile = await this.getProfile(login, internal);
    const current = await this.getCurrentEntity(login, internal);
    const found = await this.findEntity(profile, internal);
    const idField = this.entityIdField;
    if (current !== null && found !== null && String(found[idField]) !== String(current[idField])) {
      throw new Conflict('This provider account is already linked to another user', { reason: 'conflict' });
    }
    const existing = current ?? found;
    const entity =
      existing === null
        ? await this.createEntity(profile, internal)
        : await this.updateEntity(existing, profile, internal);
    return {
      authentication: { strategy: this.name },
      [this.configuration.entity]: await this.getEntity(entity, params),
    };
  }
}
