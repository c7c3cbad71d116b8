import type { AuthenticationConfiguration } from './configuration-schema.ts';
import { AuthenticationBase, type AuthenticationServiceOptions } from './authentication-base.ts';
import type { Params } from './entity-service.ts';
import { NotAuthenticated } from './errors.ts';
import type { AuthenticationRequest, AuthenticationResult, Connection } from './strategy.ts';

/** The parameters of {@link AuthenticationService.create} and {@link AuthenticationService.remove}. */
export interface AuthenticationParams extends Params {
  /** Extra claims merged into the access token payload on login. */
  payload?: Record<string, unknown>;
  /** Signing options for this login, over the configured `jwtOptions`. */
  jwtOptions?: Record<string, unknown>;
  /**
   * Feathers' name for per-call token options (`subject`, `expiresIn`, ...): merged over `jwtOptions` to
   * sign the login's token; the JWT strategy also verifies a presented token with its verification
   * members (`algorithms`, `audience`, ...).
   */
  jwt?: Record<string, unknown>;
  /**
   * A key to sign the login's token with instead of the configured one, as Feathers' `params.secret`
   * (see {@link AuthenticationBase.createAccessToken}). Server-side only: never copy it from a request.
   */
  secret?: unknown;
  /** Overrides the configured `authStrategies` for this login. */
  authStrategies?: string[];
  /** The realtime connection the call came from; strategies are told about login and logout on it. */
  connection?: Connection;
}

const NO_STRATEGIES = 'No authentication strategies allowed for creating a JWT (`authStrategies`)';

/** Reads a JWT's claims without verifying them: the token was just issued by our own issuer. */
function decodePayload(token: string): Record<string, unknown> | undefined {
  const segment = token.split('.')[1];
  if (segment === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The authentication service: a registry of strategies, login (`create`) and logout (`remove`), with
 * the behaviour of Feathers' `AuthenticationService` and no Feathers. Tokens are issued by the
 * {@link TokenIssuer} a strategy package registers (`@org/strategy-jwt` does it on register).
 *
 * Events: `login` and `logout` with `(result, params)` after an external call (`params.provider`
 * set), as Feathers' event hook does; emitting `disconnect` with a connection tells every strategy.
 *
 * @example
 * ```ts
 * const auth = new AuthenticationService(
 *   { secret: process.env.AUTH_SECRET, service: 'users', authStrategies: ['jwt', 'local'] },
 *   { services: { users } },
 * );
 * auth.register('jwt', new JWTStrategy());
 * auth.register('local', new LocalStrategy());
 * await auth.setup();
 * const { accessToken, user } = await auth.create(
 *   { strategy: 'local', email: 'ada@example.com', password: 'secret' },
 *   { provider: 'rest' },
 * );
 * ```
 */
export class AuthenticationService extends AuthenticationBase {
  /**
   * @param configuration - The `authentication` configuration section (copied: later changes to it
   *   have no effect).
   * @param options - The entity services by path.
   * @throws BadRequest `invalid-configuration` when a setting has the wrong type.
   */
  constructor(configuration: AuthenticationConfiguration, options: AuthenticationServiceOptions = {}) {
    super(configuration, options);
    this.on('disconnect', (connection: Connection) => {
      this.handleConnection('disconnect', connection).catch((error: unknown) => this.emit('error', error));
    });
  }

  /**
   * The access token payload for a login: `params.payload`, copied.
   * @param _result - The authentication result.
   * @param params - The call parameters.
   */
  async getPayload(
    _result: AuthenticationResult,
    params: AuthenticationParams,
  ): Promise<Record<string, unknown>> {
    return { ...params.payload };
  }

  /**
   * The signing options for a login: `params.jwtOptions`, then `params.jwt` over it (Feathers' per-call
   * name), with `subject` set to the entity id unless one is given.
   *
   * @param result - The authentication result.
   * @param params - The call parameters.
   * @throws NotAuthenticated `Can not set subject from <entity>.<id>` when the entity has no id.
   */
  async getTokenOptions(
    result: AuthenticationResult,
    params: AuthenticationParams,
  ): Promise<Record<string, unknown>> {
    const { service, entity, entityId } = this.#subjectSource(result);
    const options: Record<string, unknown> = { ...params.jwtOptions, ...params.jwt };
    const value = service && entity ? (result[entity] as Record<string, unknown> | undefined) : undefined;
    if (value && options.subject === undefined) {
      const idProperty = entityId ?? this.getEntityService(service as string)?.id ?? 'id';
      const subject = value[idProperty];
      if (subject === undefined || subject === null) {
        throw new NotAuthenticated(`Can not set subject from ${entity}.${idProperty}`);
      }
      options.subject = String(subject);
    }
    return options;
  }

  /**
   * Where the subject of a login's token comes from: the configured entity, or, with `entity: null` (an
   * entity-less JWT strategy), the entity the authenticating strategy found (the local strategy's user),
   * so the token still names who logged in.
   */
  #subjectSource(result: AuthenticationResult): {
    service: string | undefined;
    entity: string | null | undefined;
    entityId: string | undefined;
  } {
    const { service, entity, entityId } = this.configuration;
    if (entity !== null) return { service, entity, entityId };
    const name = result.authentication?.strategy;
    const own = (typeof name === 'string' ? this.getStrategy(name) : undefined) as
      { configuration?: { service?: unknown; entity?: unknown; entityId?: unknown } } | undefined;
    const config = own?.configuration;
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    return {
      service: text(config?.service) ?? service,
      entity: text(config?.entity) ?? null,
      entityId: text(config?.entityId) ?? entityId,
    };
  }

  /**
   * Logs in: authenticates `data` with one of `authStrategies` and issues an access token, unless the
   * strategy already returned one and its `getRefreshOptions` does not ask for a new one (the JWT
   * strategy's refresh). Emits `login` after an external call.
   *
   * @param data - The authentication request (`{ strategy: 'local', email, password }`).
   * @param params - The call parameters.
   * @returns `{ accessToken, authentication: { strategy, payload }, [entity]: record }`.
   * @throws NotAuthenticated `No authentication strategies allowed for creating a JWT (\`authStrategies\`)`
   *   (`strategy-not-allowed`), or any {@link authenticate} error.
   * @throws GeneralError when no token issuer is registered.
   */
  async create(
    data: AuthenticationRequest,
    params: AuthenticationParams = {},
  ): Promise<AuthenticationResult> {
    const authStrategies = params.authStrategies ?? this.configuration.authStrategies ?? [];
    if (authStrategies.length === 0) {
      throw new NotAuthenticated(NO_STRATEGIES, { reason: 'strategy-not-allowed' });
    }
    const authResult = await this.authenticate(data, params, ...authStrategies);
    // A strategy that authenticated with a token may ask for a new one in its place (JWT refresh).
    const refresh = authResult.accessToken
      ? await this.getStrategy(data.strategy as string)?.getRefreshOptions?.(authResult, params)
      : undefined;
    let result = authResult;
    if (!authResult.accessToken || refresh) {
      const [payload, options] = await Promise.all([
        this.getPayload(authResult, params),
        this.getTokenOptions(authResult, params),
      ]);
      const accessToken = await this.createAccessToken(
        { ...payload, ...refresh?.payload },
        { ...options, ...refresh?.options },
        params.secret,
      );
      result = {
        ...authResult,
        accessToken,
        authentication: {
          ...authResult.authentication,
          ...(refresh ? { accessToken } : {}),
          payload: decodePayload(accessToken) ?? (await this.verifyAccessToken(accessToken)),
        },
      };
    }
    await this.#after('login', result, params);
    return result;
  }

  /**
   * Logs out: verifies the caller's authentication (`params.authentication`) with `authStrategies`,
   * revokes its access token through the issuer's `revokeAccessToken` when it is one of the issuer's
   * tokens, and emits `logout` after an external call. A caller authenticated by another strategy (an
   * API key, an OAuth provider's token) has no token of ours to revoke: as in Feathers, the result is
   * returned.
   *
   * @param id - `null`, or the access token being removed (it MUST equal the caller's).
   * @param params - The call parameters, with `authentication`.
   * @returns The authentication result.
   * @throws NotAuthenticated `Invalid access token` when `id` is another token; `no-credentials`
   *   without authentication; any {@link authenticate} error.
   */
  async remove(id: string | null, params: AuthenticationParams = {}): Promise<AuthenticationResult> {
    const authentication = params.authentication as AuthenticationRequest | undefined;
    if (id !== null && id !== undefined && id !== authentication?.accessToken) {
      throw new NotAuthenticated('Invalid access token', { reason: 'invalid-credentials' });
    }
    const result = await this.authenticate(
      authentication,
      params,
      ...(this.configuration.authStrategies ?? []),
    );
    await this.#revoke(result, authentication);
    await this.#after('logout', result, params);
    return result;
  }

  async #revoke(
    result: AuthenticationResult,
    authentication: AuthenticationRequest | undefined,
  ): Promise<void> {
    const issuer = this.tokenIssuer;
    if (issuer?.revokeAccessToken === undefined) return;
    const token = result.authentication?.accessToken ?? result.accessToken ?? authentication?.accessToken;
    if (typeof token !== 'string' || token === '') return;
    // The payload a strategy verified for this very token (the JWT strategy's); else the token must
    // verify as one of ours. One that does not is another strategy's credential, not a failed logout.
    let payload = result.authentication?.accessToken === token ? result.authentication.payload : undefined;
    if (payload === undefined) {
      try {
        payload = await this.verifyAccessToken(token);
      } catch (error) {
        if (error instanceof NotAuthenticated) return;
        throw error; // a revocation store that is down: the logout did not happen
      }
    }
    await issuer.revokeAccessToken(token, payload);
  }

  async #after(
    event: 'login' | 'logout',
    result: AuthenticationResult,
    params: AuthenticationParams,
  ): Promise<void> {
    if (params.connection) await this.handleConnection(event, params.connection, result);
    if (params.provider) this.emit(event, result, params);
  }
}
