import {
  AuthenticationBase,
  AuthenticationBaseStrategy,
  BadRequest,
  EntityCache,
  GeneralError,
  NotAuthenticated,
  type AuthenticationHost,
  type AuthenticationRequest,
  type AuthenticationResult,
  type AuthenticationService,
  type Connection,
  type ConnectionEvent,
  type EntityService,
  type Id,
  type Params,
  type Query,
  type TokenRefresh,
} from '@org/core';
import { isPlainRead, withMember } from '@org/core/internal';
import { parseDuration, type Duration } from '../shared/duration.ts';
import { resolveRevocationSetting } from '../revocation/revocation-setting.ts';
import { TokenService } from '../token/token-service.ts';
import { ConnectionExpiry } from './connection-expiry.ts';
import {
  JWT_STRATEGY_KEYS,
  readJwtStrategySettings,
  type ExpiryAction,
  type JwtStrategySettings,
} from './jwt-strategy-settings.ts';
import { peekAccessToken, readAccessToken, type HeaderSource } from './parse-header.ts';
import { refreshClaims } from './refresh-claims.ts';

/** The resolved `authentication.jwt` section, with the service-level defaults filled in. */
export interface JwtStrategyConfiguration {
  /** The request header carrying the token. */
  header: string;
  /** The accepted schemes. */
  schemes: string[];
  /** The entity name, or `null` for stateless tokens. */
  entity: string | null;
  /** The entity service path. */
  service?: string;
  /** The entity id field. */
  entityId?: string;
  [key: string]: unknown;
}

/** The argument of the `token-expiring` and `token-expired` events the authentication service emits. */
export interface TokenExpiryEvent {
  /** The realtime connection whose token expires. */
  connection: Connection;
  /** The strategy that armed the timer. */
  strategy: string;
  /** The token's `exp` claim, in seconds since the epoch. */
  exp: number;
  /** What happens (or happened) at `exp`. */
  action: ExpiryAction;
}

/**
 * `params.jwt` holds Feathers' per-call token options: on `create` they sign the new token, and here they
 * verify the presented one. The members that only sign (`expiresIn`, `subject`, ...) are left to signing;
 * the rest (`algorithms`, `algorithm`, `audience`, `issuer`, ... and any unknown name, which is refused)
 * verify, as Feathers passes them to jsonwebtoken's `verify`.
 */
const SIGN_ONLY = new Set(['header', 'expiresIn', 'subject', 'jwtid', 'notBefore']);

function verifyOptionsOf(jwt: unknown): Record<string, unknown> | undefined {
  if (jwt === undefined || jwt === null || typeof jwt !== 'object') return undefined;
  const options = Object.fromEntries(Object.entries(jwt).filter(([key]) => !SIGN_ONLY.has(key)));
  return Object.keys(options).length === 0 ? undefined : options;
}

/**
 * `params` without `provider`, with the entity query: what the internal read of the entity gets. One
 * copy instead of a rest destructuring and a spread; an own `__proto__` key is never assigned (it would
 * set the copy's prototype).
 */
function internalParams(params: Params, query: Query): Params {
  const internal: Params = {};
  for (const key of Object.keys(params)) {
    if (key !== 'provider' && key !== '__proto__') internal[key] = params[key];
  }
  internal.query = query;
  return internal;
}

/** The `configuration` getter `object` has, from its own class or a subclass. */
function configurationGetter(object: object): unknown {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, 'configuration');
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return e?.code === 404 || e?.name === 'NotFound';
}

/**
 * The JWT strategy, in the shape `@feathersjs/authentication` users know: `parse` reads the token from
 * the configured header, `authenticate` verifies it and loads the entity through the overridable
 * `getEntityId` / `getEntityQuery` / `getEntity`, `handleConnection` keeps realtime connections
 * authenticated until `exp`.
 *
 * Differences from Feathers: exact scheme match, `Bearer` alone is no token, a token sent twice is
 * refused, refresh returns a new token bounded by `refresh.maxSessionAge`, and an expired realtime
 * connection is de-authenticated (or disconnected with `realtime.onExpiry: 'disconnect'`).
 *
 * @example
 * ```ts
 * const auth = new AuthenticationService({ secret, service: 'users' }, { services: { users } });
 * auth.register('jwt', new JWTStrategy());
 *
 * class CustomJWTStrategy extends JWTStrategy {
 *   override async getEntityQuery() {
 *     return { active: true };
 *   }
 * }
 * ```
 */
export class JWTStrategy extends AuthenticationBaseStrategy {
  #settings: JwtStrategySettings | undefined;
  #implicitRevocation = false;
  #entityCache: EntityCache | undefined;
  #ownGetter: boolean | undefined;
  #memo: { auth: unknown; own: unknown; value: JwtStrategyConfiguration } | undefined;
  readonly #expiry = new ConnectionExpiry<Connection>({
    onError: (error) => this.#report(error),
  });

  /**
   * The `authentication.jwt` section with Feathers' defaults and the service-level entity settings: a
   * fresh object on every read, as in Feathers.
   */
  override get configuration(): JwtStrategyConfiguration {
    const authConfig = this.authentication?.configuration ?? {};
    const own = (super.configuration as Record<string, unknown> | undefined) ?? {};
    return {
      service: authConfig.service,
      entity: authConfig.entity === undefined ? 'user' : authConfig.entity,
      entityId: authConfig.entityId,
      header: 'Authorization',
      schemes: ['Bearer', 'JWT'],
      ...own,
    } as JwtStrategyConfiguration;
  }

  /**
   * Registers the token service of this package as the service's token issuer unless one is set, so
   * `auth.createAccessToken` / `auth.verifyAccessToken` work as in Feathers, with the revocation
   * `authentication.revocation` configures: by default an in-process denylist (so logout always
   * revokes, on this instance), `false` for none, a revocation check, or `{ store }` (a Keyv instance or
   * a `redis://`, `postgres://`, `sqlite://` URL) for a denylist every instance shares.
   * @param auth - The authentication service.
   * @throws BadRequest `invalid-configuration` when the key or revocation settings are invalid.
   */
  override setAuthentication(auth: AuthenticationHost): void {
    super.setAuthentication(auth);
    this.#implicitRevocation = false;
    const service = auth as Partial<AuthenticationService>;
    if (service.tokenIssuer === undefined && typeof service.setTokenIssuer === 'function') {
      const { revocation, ...rest } = auth.configuration;
      const resolved = resolveRevocationSetting(revocation);
      const tokens = TokenService.fromConfiguration(rest);
      tokens.setRevocation(resolved.check);
      this.#implicitRevocation = resolved.implicit;
      service.setTokenIssuer(tokens);
    }
  }

  /**
   * Once the service is set up: waits for the revocation store to open (a URL store loads its adapter),
   * and, when revocation was left to the default in-process denylist, says that several instances need
   * a shared store (`process.emitWarning`, code `ORG_JWT_REVOCATION_IN_PROCESS`).
   * @param auth - The authentication service.
   * @throws BadRequest `missing-package` when the revocation store's adapter package is not installed.
   */
  override async setup(auth?: AuthenticationHost): Promise<void> {
    await super.setup(auth);
    const issuer = (this.authentication as Partial<AuthenticationService> | undefined)?.tokenIssuer;
    const revocation = issuer instanceof TokenService ? issuer.revocation : undefined;
    await (revocation as { ready?: () => Promise<void> } | undefined)?.ready?.();
    if (this.#implicitRevocation) {
      process.emitWarning(
        "Logout revokes tokens on this instance only (the default in-process denylist): with several instances, set 'authentication.revocation' to { store: 'redis://...' } (or postgres://, sqlite://), shared by all of them",
        { code: 'ORG_JWT_REVOCATION_IN_PROCESS' },
      );
    }
  }

  // What `parse` and `authenticate` read of the configuration on every request. The getter's inputs (the
  // service's configuration and this strategy's section) are frozen, so its result is memoised on their
  // identity instead of built twice per request; a subclass that overrides the getter is always asked.
  #requestConfiguration(): JwtStrategyConfiguration {
    if (!this.#ownConfigurationGetter()) return this.configuration;
    const auth = this.authentication?.configuration;
    const own: unknown = super.configuration;
    const memo = this.#memo;
    if (memo !== undefined && memo.auth === auth && memo.own === own) return memo.value;
    const value = this.configuration;
    this.#memo = { auth, own, value };
    return value;
  }

  // True unless a subclass overrides the `configuration` getter (decided once).
  #ownConfigurationGetter(): boolean {
    this.#ownGetter ??= configurationGetter(this) === JWT_CONFIGURATION_GETTER;
    return this.#ownGetter;
  }

  /**
   * The entity service named by the `service` setting of `authentication.jwt`, else of `authentication`, as
   * the base class reads it, from the configuration memoised per request path rather than a fresh
   * {@link JWTStrategy.configuration} object on every read; `undefined` when none is configured or
   * registered.
   */
  override get entityService(): EntityService | undefined {
    const auth = this.authentication;
    const path: unknown = this.#requestConfiguration().service ?? auth?.configuration.service;
    return typeof path === 'string' && path !== '' ? auth?.getEntityService(path) : undefined;
  }

  /**
   * Validates `authentication.jwt`, `authentication.realtime` and `authentication.refresh`.
   * @throws BadRequest `invalid-configuration`: Feathers' message for an unknown `jwt` key
   *   (`Invalid JwtStrategy option 'authentication.jwt.expiresIn'. Did you mean to set it in
   *   'authentication.jwtOptions'?`), and for a `header` that is not a string.
   */
  override verifyConfiguration(): void {
    const configuration = this.configuration;
    for (const key of Object.keys(configuration)) {
      if (!(JWT_STRATEGY_KEYS as readonly string[]).includes(key)) {
        throw new BadRequest(
          `Invalid JwtStrategy option 'authentication.${this.name}.${key}'. Did you mean to set it in 'authentication.jwtOptions'?`,
          { reason: 'invalid-configuration' },
        );
      }
    }
    if (typeof configuration.header !== 'string') {
      throw new BadRequest(`The 'header' option for the ${this.name} strategy must be a string`, {
        reason: 'invalid-configuration',
      });
    }
    const { schemes } = configuration;
    if (!Array.isArray(schemes) || !schemes.every((s) => typeof s === 'string' && /^[^\s,]+$/.test(s))) {
      throw new BadRequest(`The 'schemes' option for the ${this.name} strategy must be a list of words`, {
        reason: 'invalid-configuration',
      });
    }
    this.#settings = readJwtStrategySettings(this.#auth().configuration);
    this.#entityCache?.close();
    this.#entityCache = EntityCache.fromConfiguration(this.#auth().configuration.entityCache);
  }

  /**
   * The entity cache built from `authentication.entityCache` when the strategy was registered;
   * `undefined` (the default) when that setting is absent. Call its `close()` to stop it.
   */
  get entityCache(): EntityCache | undefined {
    return this.#entityCache;
  }

  /**
   * The query `getEntity` passes to the entity service; override to restrict (`{ active: true }`).
   * @param _params - The service call parameters.
   * @returns An empty query.
   */
  async getEntityQuery(_params: Params): Promise<Query> {
    return {};
  }

  /**
   * The entity id of a verified token: its `sub` claim.
   * @param authResult - The result so far (`authentication.payload` is the verified payload).
   * @param _params - The service call parameters.
   */
  async getEntityId(authResult: AuthenticationResult, _params: Params): Promise<Id | undefined> {
    return authResult.authentication?.payload?.sub as Id | undefined;
  }

  /**
   * Loads the entity for `id` with {@link JWTStrategy.getEntityQuery}; for an external call
   * (`params.provider` set) it is fetched again with the caller's params and the entity, so the entity
   * service's hooks see the call as Feathers' do (`protect('password')` strips the hash). A service whose
   * `get` is marked `PLAIN_READ` (the memory adapter's) has no hooks to run: it is read once, unless
   * `params.query` is set or `fetchEntity` is overridden.
   *
   * With `authentication.entityCache`, that external result is cached too, per id and `provider`, so a
   * repeat request within the TTL reads no store at all; the service's hooks on an external `get` MUST
   * then depend only on the entity and the provider, not on the rest of the request's params.
   * @param id - The entity id.
   * @param params - The service call parameters.
   * @throws NotAuthenticated `entity-not-found` when the service has no such entity.
   */
  async getEntity(id: Id, params: Params): Promise<Record<string, unknown>> {
    const entityService = this.entityService;
    if (entityService === undefined || entityService === null) {
      throw new NotAuthenticated('Could not find entity service');
    }
    // Our own getEntityQuery answers `{}` at once: awaiting it would only add a promise hop per request.
    const query =
      this.getEntityQuery === JWTStrategy.prototype.getEntityQuery ? {} : await this.getEntityQuery(params);
    const { provider } = params;
    const internal = internalParams(params, query);
    try {
      // A plain read (PLAIN_READ) has no hooks to run for an external call: the second read would return
      // a copy of the internal one, so the entity is read once.
      if (!provider || this.#externalReadIsInternal(entityService, params)) {
        return await this.#fetch(entityService, id, internal);
      }
      const { entity } = this.configuration;
      const loadExternal = async () => {
        const result = await this.#fetch(entityService, id, internal);
        return entityService.get(id, withMember(params, entity ?? 'user', result));
      };
      const cache = this.#entityCache;
      if (cache === undefined) return await loadExternal();
      // Invariant 7: the external view is cached apart from the internal record (which may hold a
      // password hash that the service's hooks strip for external calls), and invalidated with it.
      return await cache.get(entityService, id, loadExternal, `provider:${String(provider)}`);
    } catch (error) {
      if (isNotFound(error))
        throw new NotAuthenticated('Entity not found', { reason: 'entity-not-found', cause: error });
      throw error;
    }
  }

  // The external read adds nothing when the service's `get` is a plain read, the caller passes no query
  // of its own (the external read would filter by it), and fetchEntity is ours (an override may return
  // something else than the stored record the external read would).
  #externalReadIsInternal(entityService: EntityService, params: Params): boolean {
    return (
      params.query === undefined &&
      this.fetchEntity === JWTStrategy.prototype.fetchEntity &&
      isPlainRead(entityService)
    );
  }

  // fetchEntity, without its async frame and second entity service lookup when it is not overridden.
  #fetch(entityService: EntityService, id: Id, params: Params): Promise<Record<string, unknown>> {
    if (this.fetchEntity !== JWTStrategy.prototype.fetchEntity) return this.fetchEntity(id, params);
    const cache = this.#entityCache;
    if (cache === undefined) return entityService.get(id, params);
    return cache.get(entityService, id, () => entityService.get(id, params));
  }

  /**
   * The internal read of the entity service on the authentication hot path: the seam where
   * `authentication.entityCache` plugs in. With the cache, the entity is keyed by service and id
   * only, so `getEntityQuery` MUST NOT depend on `params`. (An external call then also reads it once
   * with the caller's params; {@link JWTStrategy.getEntity} caches that result.)
   * @param id - The entity id.
   * @param params - Internal params (no `provider`) with the entity query.
   */
  protected async fetchEntity(id: Id, params: Params): Promise<Record<string, unknown>> {
    const entityService = this.entityService;
    if (entityService === undefined || entityService === null) {
      throw new NotAuthenticated('Could not find entity service');
    }
    const cache = this.#entityCache;
    if (cache === undefined) return entityService.get(id, params);
    return cache.get(entityService, id, () => entityService.get(id, params));
  }

  /**
   * Verifies `accessToken` and loads its entity.
   * @param authentication - `{ strategy, accessToken }`.
   * @param params - Service call parameters; `params.jwt` holds per-call token options (its verification
   *   members apply here, its signing members to the token `create` issues).
   * @returns `{ accessToken, authentication: { strategy, accessToken, payload }, [entity] }`, without the
   *   entity when `entity` is `null`.
   * @throws NotAuthenticated `token-missing` (`No access token`), the verifier's reasons, `claim-invalid`
   *   for a token without `sub`, `entity-not-found`.
   */
  async authenticate(authentication: AuthenticationRequest, params: Params): Promise<AuthenticationResult> {
    const { accessToken } = authentication;
    const { entity } = this.#requestConfiguration();
    if (!accessToken) throw new NotAuthenticated('No access token', { reason: 'token-missing' });
    if (typeof accessToken !== 'string') {
      throw new NotAuthenticated('Malformed access token', { reason: 'token-malformed' });
    }
    const payload = await this.#auth().verifyAccessToken(accessToken, verifyOptionsOf(params.jwt));
    const result = {
      accessToken,
      authentication: { strategy: this.name ?? 'jwt', accessToken, payload },
    };
    if (entity === null) return result;

    // Our own getEntityId reads `sub` at once: awaiting it would only add a promise hop per request.
    const entityId =
      this.getEntityId === JWTStrategy.prototype.getEntityId
        ? (payload.sub as Id | undefined)
        : await this.getEntityId(result, params);
    if (entityId === undefined || entityId === null || entityId === '') {
      throw new NotAuthenticated('Token has no subject', { reason: 'claim-invalid' });
    }
    const value = await this.getEntity(entityId, params);
    return withMember(result, entity, value);
  }

  /**
   * The request guards' shortcut (see `AuthenticationStrategy.authenticateFromCache`): the result
   * {@link JWTStrategy.parse} then {@link JWTStrategy.authenticate} would resolve with, answered
   * synchronously when both caches hold it: the token from the `verifiedTokenCache` (its key still
   * resolving, its time claims and revocation checked now) and, unless `entity` is `null`, the entity
   * from `authentication.entityCache`, as `getEntity` would read it for `provider`. `undefined` in every
   * other case, and the guard takes the full path: a cache off or missing, no token in the request, a
   * shared revocation store, a `sub` the cache does not hold, and whenever `parse`, `authenticate`,
   * `getEntityId`, `getEntity`, `fetchEntity`, `getEntityQuery`, the `configuration` getter, the
   * service's `verifyAccessToken` or the token issuer's is not this package's own. The entity is peeked
   * in the cache of {@link JWTStrategy.entityService}, overridden or not, as `getEntity` reads it.
   * @param req - The request.
   * @param provider - The guard's `params.provider`.
   * @returns The authentication result, or `undefined`.
   */
  authenticateFromCache(req: unknown, provider: string): AuthenticationResult | undefined {
    const tokens = this.#cacheableIssuer();
    if (tokens === undefined) return undefined;
    const { header, schemes, entity } = this.#requestConfiguration();
    // Without the entity cache there is nothing to answer from: decline before reading the request.
    const cache = this.#entityCache;
    if (entity !== null && cache === undefined) return undefined;
    // Only the plain `<scheme> <token>` header; a token with whitespace or commas in it can never hit (only
    // strictly parsed tokens are cached), so what answers is what `parse` would read. Anything else takes
    // the full path.
    const accessToken = peekAccessToken(req as HeaderSource, { header, schemes });
    if (accessToken === null) return undefined;
    const payload = tokens.verifyFromCache(accessToken);
    if (payload === undefined) return undefined;
    const strategy = this.name ?? 'jwt';
    const result: AuthenticationResult = {
      accessToken,
      authentication: { strategy, accessToken, payload },
    };
    if (entity === null) return result;
    const id = payload.sub as Id | undefined;
    if (cache === undefined || id === undefined || id === null || id === '') return undefined;
    const entityService = this.entityService;
    if (entityService === undefined || entityService === null) return undefined;
    // As getEntity: the internal record when the external read would add nothing, else the external view.
    const value =
      !provider || isPlainRead(entityService)
        ? cache.peek(entityService, id)
        : cache.peek(entityService, id, `provider:${String(provider)}`);
    if (value === undefined) return undefined;
    // `result` is this call's own object: the entity is added to it, as `authenticate` adds it to a copy.
    if (entity === '__proto__') return withMember(result, entity, value);
    result[entity] = value;
    return result;
  }

  // The token service the shortcut may ask: ours, reached through the service's own verifyAccessToken,
  // with none of the steps of `authenticate` overridden (an override decides something the caches
  // cannot know). Undefined otherwise.
  #cacheableIssuer(): TokenService | undefined {
    const proto = JWTStrategy.prototype;
    if (
      this.authenticate !== proto.authenticate ||
      this.parse !== proto.parse ||
      this.getEntityId !== proto.getEntityId ||
      this.getEntity !== proto.getEntity ||
      this.fetchEntity !== proto.fetchEntity ||
      this.getEntityQuery !== proto.getEntityQuery
    ) {
      return undefined;
    }
    if (!this.#ownConfigurationGetter()) return undefined;
    const auth = this.authentication as Partial<AuthenticationService> | undefined;
    if (auth?.verifyAccessToken !== AuthenticationBase.prototype.verifyAccessToken) return undefined;
    const issuer = auth.tokenIssuer;
    if (!(issuer instanceof TokenService)) return undefined;
    return issuer.verifyAccessToken === TokenService.prototype.verifyAccessToken &&
      issuer.verifyFromCache === TokenService.prototype.verifyFromCache
      ? issuer
      : undefined;
  }

  /**
   * Reads the token from the configured header of a Node `IncomingMessage` or a Fetch `Request`.
   * @param req - The request.
   * @returns `{ strategy, accessToken }`, or `null` when the request carries no token for this strategy.
   * @throws NotAuthenticated `token-malformed` (`Bearer a b`) or `ambiguous-credentials` (a token sent
   *   twice).
   */
  async parse(req: unknown): Promise<{ strategy: string; accessToken: string } | null> {
    const { header, schemes } = this.#requestConfiguration();
    const accessToken = readAccessToken(req as HeaderSource, { header, schemes });
    return accessToken === null ? null : { strategy: this.name ?? 'jwt', accessToken };
  }

  /**
   * The token that replaces the caller's when it re-authenticates through `create` (a refresh): the
   * old token's own claims and `sub` carried over, the session start kept in `auth_time` (else the old
   * token's `iat`), and an `expiresIn` that never passes `auth_time + refresh.maxSessionAge`. The
   * service then issues it with a new `exp` and `jti`.
   * @param result - This strategy's result for the old token.
   * @param params - The `create` call parameters (`expiresIn` of `params.jwtOptions` or `params.jwt` is honoured).
   * @returns The claims and signing options of the new token.
   * @throws NotAuthenticated `session-expired` past `refresh.maxSessionAge`.
   */
  async getRefreshOptions(result: AuthenticationResult, params: Params): Promise<TokenRefresh | undefined> {
    const old = result.authentication?.payload;
    if (old === undefined) return undefined;
    const jwtOptions = { ...(params.jwtOptions as object), ...(params.jwt as object) } as {
      expiresIn?: Duration;
    };
    const expiresIn = jwtOptions?.expiresIn ?? this.#auth().configuration.jwtOptions?.expiresIn ?? '1d';
    return refreshClaims(old, {
      maxSessionAgeMs: this.#getSettings().maxSessionAgeMs,
      lifetime: parseDuration(expiresIn as Duration, 'jwtOptions.expiresIn'),
      now: Date.now(),
    });
  }

  /**
   * Keeps a realtime connection's authentication: on `login` stores `{ authentication, [entity] }` on the
   * connection and arms its expiry timer (replacing any earlier one); on `logout` with the connection's
   * own token and on `disconnect` removes them, after the other listeners of the event ran.
   * @param event - `login`, `logout` or `disconnect`.
   * @param connection - The connection state object.
   * @param authResult - The login or logout result.
   */
  async handleConnection(
    event: ConnectionEvent,
    connection: Connection,
    authResult?: AuthenticationResult,
  ): Promise<void> {
    const accessToken = authResult?.accessToken;
    const { entity } = this.configuration;
    const current = connection.authentication as { accessToken?: unknown } | undefined;

    if (event === 'login' && typeof accessToken === 'string') {
      const payload =
        authResult?.authentication?.accessToken === accessToken && authResult.authentication.payload
          ? authResult.authentication.payload
          : await this.#auth().verifyAccessToken(accessToken);
      connection.authentication = { strategy: this.name ?? 'jwt', accessToken };
      if (entity !== null) connection[entity] = authResult?.[entity];
      this.#armExpiry(connection, accessToken, payload.exp);
      return;
    }

    const isValidLogout = event === 'logout' && current !== undefined && current.accessToken === accessToken;
    if (event === 'disconnect' || isValidLogout) {
      this.#expiry.clear(connection);
      // Other listeners of the same event still read the connection's user before it goes.
      await new Promise<void>((resolve) => process.nextTick(resolve));
      if (entity !== null) delete connection[entity];
      delete connection.authentication;
    }
  }

  #armExpiry(connection: Connection, accessToken: string, exp: unknown): void {
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      this.#expiry.clear(connection);
      return;
    }
    const { expiryWarningMs, onExpiry } = this.#getSettings();
    const strategy = this.name ?? 'jwt';
    const expiresAt = exp * 1000;
    const event: TokenExpiryEvent = { connection, strategy, exp, action: onExpiry };
    this.#expiry.arm(connection, {
      expiresAt,
      warnAt: expiryWarningMs > 0 ? expiresAt - expiryWarningMs : undefined,
      onWarning: () => this.#auth().emit('token-expiring', event),
      onExpiry: () => this.#expire(connection, accessToken, event),
    });
  }

  #expire(connection: Connection, accessToken: string, event: TokenExpiryEvent): void {
    const current = connection.authentication as { accessToken?: unknown } | undefined;
    if (current?.accessToken !== accessToken) return;
    const auth = this.#auth();
    if (event.action === 'disconnect') {
      auth.emit('token-expired', event);
      // Feathers' behaviour: the transport closes the socket; listeners still see the connection's user.
      auth.emit('disconnect', connection);
      void this.handleConnection('disconnect', connection).catch((error: unknown) => this.#report(error));
      return;
    }
    const { entity } = this.configuration;
    if (entity !== null) delete connection[entity];
    delete connection.authentication;
    auth.emit('token-expired', event);
  }

  #report(error: unknown): void {
    const name = (error as { name?: unknown } | null)?.name;
    process.emitWarning(`A realtime expiry listener failed (${typeof name === 'string' ? name : 'error'})`, {
      code: 'ORG_JWT_EXPIRY_LISTENER',
    });
  }

  #getSettings(): JwtStrategySettings {
    this.#settings ??= readJwtStrategySettings(this.#auth().configuration);
    return this.#settings;
  }

  #auth(): AuthenticationService {
    if (this.authentication === undefined) {
      throw new GeneralError('The jwt strategy is not registered with an authentication service');
    }
    return this.authentication as unknown as AuthenticationService;
  }
}

const JWT_CONFIGURATION_GETTER = Object.getOwnPropertyDescriptor(JWTStrategy.prototype, 'configuration')?.get;
