import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AuthenticationConfiguration } from './configuration-schema.ts';
import {
  resolveConfiguration,
  validateConfigurationKeys,
  validateConfigurationTypes,
  validateParseStrategies,
  validateSetup,
} from './configuration.ts';
import type { DeepReadonly } from './deep-readonly.ts';
import type { EntityService, EntityServiceRegistry, Params } from './entity-service.ts';
import { GeneralError, NotAuthenticated } from './errors.ts';
import { withMember } from './with-member.ts';
import type {
  AuthenticationHost,
  AuthenticationRequest,
  AuthenticationResult,
  AuthenticationStrategy,
  Connection,
  ConnectionEvent,
  TokenIssuer,
} from './strategy.ts';

/** Options of the {@link AuthenticationService} constructor. */
export interface AuthenticationServiceOptions {
  /**
   * The entity services by path, as `app.service(path)` would return them.
   * @defaultValue `{}`
   */
  services?: EntityServiceRegistry;
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return e?.code === 404 || e?.name === 'NotFound';
}

// Feathers lets the entity lookup's 404 through; at this layer a vanished entity is a failed login.
function vanishedEntity(error: unknown): unknown {
  if (!isNotFound(error)) return error;
  return new NotAuthenticated('Entity not found', { reason: 'entity-not-found', cause: error });
}

/**
 * The strategy registry and token plumbing under {@link AuthenticationService}, as Feathers'
 * `AuthenticationBase`: registering strategies, `authenticate`, `parse`, connection events, the token
 * issuer and the validated configuration. Use {@link AuthenticationService}, which adds login and logout.
 *
 * @example
 * ```ts
 * const base = new AuthenticationBase({ secret, entity: null });
 * base.register('apiKey', new ApiKeyStrategy());
 * await base.setup();
 * const result = await base.authenticate({ strategy: 'apiKey', key }, {}, 'apiKey');
 * ```
 */
export class AuthenticationBase extends EventEmitter implements AuthenticationHost {
  readonly #configuration: DeepReadonly<AuthenticationConfiguration>;
  readonly #services: EntityServiceRegistry;
  readonly #strategies = new Map<string, AuthenticationStrategy>();
  #issuer: TokenIssuer | undefined;
  #ready: Promise<void> | undefined;
  #isReady = false;
  // Sections setup() found no strategy for, waiting for a later register(); reported once if never claimed.
  #unclaimed: string[] = [];
  #unclaimedReported = false;

  /**
   * @param configuration - The `authentication` configuration section (copied: later changes to it
   *   have no effect).
   * @param options - The entity services by path.
   * @throws BadRequest `invalid-configuration` when a setting has the wrong type.
   */
  constructor(configuration: AuthenticationConfiguration, options: AuthenticationServiceOptions = {}) {
    super();
    validateConfigurationTypes(configuration);
    this.#configuration = resolveConfiguration(configuration);
    this.#services = options.services ?? {};
  }

  /** The resolved configuration, defaults applied; deeply frozen, so no caller can change it. */
  get configuration(): DeepReadonly<AuthenticationConfiguration> {
    return this.#configuration;
  }

  /**
   * The top-level configuration sections that no registered strategy has claimed: after `setup()`, an
   * object under an unknown key is left for a strategy registered later; until one is, it is listed here
   * (and reported once, on the first authentication, with `process.emitWarning`).
   */
  get unclaimedSections(): string[] {
    return [...this.#unclaimed];
  }

  /** The names of the registered strategies, in registration order. */
  get strategyNames(): string[] {
    return [...this.#strategies.keys()];
  }

  /** The registered token issuer, if any. */
  get tokenIssuer(): TokenIssuer | undefined {
    return this.#issuer;
  }

  /**
   * The entity service registered at `path`.
   * @param path - The service path (`users`).
   * @returns The service, or `undefined` when none is registered there.
   */
  getEntityService(path: string): EntityService | undefined {
    const services = this.#services;
    if (typeof services === 'function') return services(path) ?? undefined;
    return Object.hasOwn(services, path) ? services[path] : undefined;
  }

  /**
   * Registers a strategy under `name`: calls its `setName`, `setAuthentication` and
   * `verifyConfiguration`, and its `setup` when the service is already set up.
   *
   * @param name - The strategy name clients send as `strategy`.
   * @param strategy - The strategy.
   * @throws whatever `verifyConfiguration` throws, synchronously.
   */
  register(name: string, strategy: AuthenticationStrategy): void {
    strategy.setName?.(name);
    strategy.setAuthentication?.(this);
    // A strategy registered after setup() claims its section here: verifyConfiguration validates it.
    strategy.verifyConfiguration?.();
    this.#strategies.set(name, strategy);
    this.#unclaimed = this.#unclaimed.filter((section) => section !== name);
    if (this.#isReady) {
      Promise.resolve(strategy.setup?.(this)).catch((error: unknown) => this.emit('error', error));
    }
  }

  /** The strategy registered under `name`, if any. @param name - The strategy name. */
  getStrategy(name: string): AuthenticationStrategy | undefined {
    return this.#strategies.get(name);
  }

  /**
   * The registered strategies for `names`, in that order; unknown names are dropped.
   * @param names - Strategy names.
   */
  getStrategies(...names: string[]): AuthenticationStrategy[] {
    return names
      .map((name) => this.#strategies.get(name))
      .filter((strategy): strategy is AuthenticationStrategy => strategy !== undefined);
  }

  /**
   * Sets the token issuer used for login, logout and {@link createAccessToken}.
   * @param issuer - The issuer (the JWT strategy registers its token service).
   */
  setTokenIssuer(issuer: TokenIssuer): void {
    this.#issuer = issuer;
  }

  #requireIssuer(): TokenIssuer {
    if (this.#issuer === undefined) {
      throw new GeneralError(
        'No token issuer is registered: register a strategy that issues tokens (JWTStrategy) or call setTokenIssuer()',
      );
    }
    return this.#issuer;
  }

  /**
   * Issues an access token through the token issuer; a `jwtid` is generated when none is configured or
   * given, as Feathers does, so every token can be revoked by its `jti`.
   *
   * @param payload - The claims.
   * @param options - Signing options over the configured `jwtOptions`.
   * @param secret - A key to sign with instead of the configured one, as Feathers' `secretOverride`
   *   (a password-reset or e-mail-confirmation token under its own secret); the issuer applies its key
   *   policy to it, and never ignores it.
   * @returns The token.
   * @throws GeneralError `general-error` when no token issuer is registered; BadRequest
   *   `invalid-configuration` when the issuer refuses `secret`.
   */
  async createAccessToken(
    payload: Record<string, unknown>,
    options: Record<string, unknown> = {},
    secret?: unknown,
  ): Promise<string> {
    const issuer = this.#requireIssuer();
    const jwtid = options.jwtid ?? this.#configuration.jwtOptions?.jwtid ?? crypto.randomUUID();
    if (secret === undefined) return issuer.createAccessToken(payload, { ...options, jwtid });
    return issuer.createAccessToken(payload, { ...options, jwtid }, secret);
  }

  /**
   * Verifies an access token through the token issuer.
   *
   * @param token - The token.
   * @param options - Verification options over the configured ones.
   * @param secret - A key to verify with instead of the configured ones, as Feathers' `secretOverride`.
   * @returns The verified payload.
   * @throws NotAuthenticated `token-malformed` when `token` is not a non-empty string, or the issuer's
   *   reason (`token-expired`, `invalid-signature`...); BadRequest `invalid-configuration` when the issuer
   *   refuses `secret`.
   */
  verifyAccessToken(
    token: string,
    options?: Record<string, unknown>,
    secret?: unknown,
  ): Promise<Record<string, unknown>> {
    // Not `async`: the issuer's promise is handed on as it is, one promise hop fewer on every guarded
    // request; a synchronous throw (here or in the issuer) still becomes a rejection.
    try {
      const issuer = this.#requireIssuer();
      if (typeof token !== 'string' || token === '') {
        throw new NotAuthenticated('Invalid access token', { reason: 'token-malformed' });
      }
      return Promise.resolve(
        secret === undefined
          ? issuer.verifyAccessToken(token, options)
          : issuer.verifyAccessToken(token, options, secret),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Authenticates `data` with the strategy it names, if that strategy is in `allowed`. The strategy
   * receives `params` with `authenticated: true`.
   *
   * @param data - The authentication request (`{ strategy, ...credentials }`).
   * @param params - The call parameters.
   * @param allowed - The strategy names allowed for this call.
   * @returns The strategy's result.
   * Reports, once, the configuration sections still claimed by no strategy (`ORG_AUTH_UNCLAIMED_SECTION`).
   * @throws NotAuthenticated `Invalid authentication information (no \`strategy\` set)`,
   *   `... (strategy not allowed in authStrategies)` (`strategy-not-allowed`), plain
   *   `Invalid authentication information` (`invalid-credentials`), `entity-not-found` when the
   *   entity no longer exists, or the strategy's own error.
   */
  authenticate(
    data: AuthenticationRequest | null | undefined,
    params: Params = {},
    ...allowed: string[]
  ): Promise<AuthenticationResult> {
    // Not `async`: the strategy's promise is handed on with one `.then`, a promise hop fewer on every
    // guarded request; every synchronous throw still becomes a rejection.
    try {
      const authStrategy = this.#allowedStrategy(data, allowed);
      return Promise.resolve(
        authStrategy.authenticate(data as AuthenticationRequest, withMember(params, 'authenticated', true)),
      ).then(undefined, (error: unknown) => {
        throw vanishedEntity(error);
      });
    } catch (error) {
      return Promise.reject(vanishedEntity(error));
    }
  }

  /**
   * The request guards' shortcut: what `parse(req, ...parseNames)` then
   * `authenticate(data, { provider }, ...allowed)` would resolve with, answered synchronously by the
   * first parse strategy's `authenticateFromCache` (from its caches), or `undefined` when that cannot be
   * known without the full path: `parse` or `authenticate` overridden on this service, a first parse
   * strategy without the shortcut or not in `allowed`, a cache miss, or any failure (the full path then
   * reports it). The guards call it before their full path; an application has no need to.
   *
   * @param req - The request.
   * @param provider - The guard's `params.provider`.
   * @param parseNames - The strategies that parse, in order (`parseStrategies`, else the guard's).
   * @param allowed - The strategies that may authenticate.
   * @returns The authentication result, or `undefined`.
   */
  authenticateFromCache(
    req: IncomingMessage | Request,
    provider: string,
    parseNames: readonly string[],
    allowed: readonly string[],
  ): AuthenticationResult | undefined {
    if (this.parse !== AuthenticationBase.prototype.parse) return undefined;
    if (this.authenticate !== AuthenticationBase.prototype.authenticate) return undefined;
    const name = parseNames[0];
    if (name === undefined || !allowed.includes(name)) return undefined;
    const strategy = this.#strategies.get(name);
    if (strategy?.authenticateFromCache === undefined) return undefined;
    let result: AuthenticationResult | undefined;
    try {
      result = strategy.authenticateFromCache(req, provider);
    } catch {
      // Not this path's to report: the full path meets the same failure and reports it.
      return undefined;
    }
    // The full path authenticates with the strategy named in the parsed data: answer only when that is
    // the strategy asked (one instance registered under two names names itself by the last one).
    if (result?.authentication?.strategy !== name) return undefined;
    if (this.#isReady && !this.#unclaimedReported) this.#reportUnclaimed();
    return result;
  }

  #allowedStrategy(
    data: AuthenticationRequest | null | undefined,
    allowed: string[],
  ): AuthenticationStrategy & Required<Pick<AuthenticationStrategy, 'authenticate'>> {
    if (this.#isReady && !this.#unclaimedReported) this.#reportUnclaimed();
    const isObject = data !== null && typeof data === 'object';
    // As Feathers' `!strategy`: an empty name is no name.
    const strategy =
      isObject && typeof data.strategy === 'string' && data.strategy !== '' ? data.strategy : undefined;
    const authStrategy = strategy === undefined ? undefined : this.#strategies.get(strategy);
    const strategyAllowed = strategy !== undefined && allowed.includes(strategy);

    if (!isObject || authStrategy?.authenticate === undefined || !strategyAllowed) {
      if (strategy === undefined) {
        throw new NotAuthenticated('Invalid authentication information (no `strategy` set)', {
          reason: isObject ? 'invalid-credentials' : 'no-credentials',
        });
      }
      if (!strategyAllowed) {
        throw new NotAuthenticated(
          'Invalid authentication information (strategy not allowed in authStrategies)',
          {
            reason: 'strategy-not-allowed',
          },
        );
      }
      throw new NotAuthenticated('Invalid authentication information', { reason: 'invalid-credentials' });
    }
    return authStrategy as AuthenticationStrategy & Required<Pick<AuthenticationStrategy, 'authenticate'>>;
  }

  /**
   * Reads credentials from an HTTP request with the named strategies, in order.
   *
   * @param req - A Node `IncomingMessage` or a Fetch `Request`.
   * @param names - The strategies to try; none given resolves with `null`, as in Feathers.
   * @returns The first non-null result, else `null`.
   */
  async parse(req: IncomingMessage | Request, ...names: string[]): Promise<AuthenticationRequest | null> {
    for (const name of names) {
      const strategy = this.#strategies.get(name);
      if (typeof strategy?.parse !== 'function') continue;
      const value = await strategy.parse(req);
      if (value !== null && value !== undefined) return value;
    }
    return null;
  }

  /**
   * Tells every strategy that implements `handleConnection` about a realtime connection event, in
   * registration order.
   *
   * @param event - `login`, `logout` or `disconnect`.
   * @param connection - The connection.
   * @param result - The authentication result, on login and logout.
   */
  async handleConnection(
    event: ConnectionEvent,
    connection: Connection,
    result?: AuthenticationResult,
  ): Promise<void> {
    for (const strategy of this.#strategies.values()) {
      await strategy.handleConnection?.(event, connection, result);
    }
  }

  /**
   * Validates the configuration, then sets up every registered strategy. Idempotent.
   *
   * An object under an unknown top-level key that is no typo of a known one is left for a strategy
   * registered later (see {@link AuthenticationBase.unclaimedSections}).
   * @throws BadRequest `invalid-configuration`: an unknown top-level key that is a typo of a known one
   *   or not an object (with a did-you-mean hint), a
   *   `parseStrategies` entry that is not a registered strategy with `parse` (with a hint), no
   *   `secret`/`privateKey`/`keyRing`, no `service`, a missing entity service, or one without an id.
   */
  async setup(): Promise<void> {
    this.#ready ??= this.#setup().catch((error: unknown) => {
      // A failed setup may be retried once the configuration or the strategies are fixed.
      this.#ready = undefined;
      this.#isReady = false;
      throw error;
    });
    return this.#ready;
  }

  #reportUnclaimed(): void {
    this.#unclaimedReported = true;
    for (const section of this.#unclaimed) {
      process.emitWarning(
        `The authentication configuration section '${section}' is claimed by no registered strategy: ` +
          `register the strategy named '${section}', or remove the section`,
        { code: 'ORG_AUTH_UNCLAIMED_SECTION' },
      );
    }
  }

  async #setup(): Promise<void> {
    this.#unclaimed = validateConfigurationKeys(this.#configuration, this.strategyNames);
    this.#unclaimedReported = false;
    validateParseStrategies(this.#configuration, this.#strategies);
    validateSetup(this.#configuration, (path) => this.getEntityService(path));
    // As in Feathers: a strategy registered from here on is set up on register, so take a snapshot.
    this.#isReady = true;
    for (const strategy of [...this.#strategies.values()]) await strategy.setup?.(this);
  }
}
