import type { EntityService, Params } from './entity-service.ts';

/** What a client sends to authenticate: at least the `strategy` name, then its own fields. */
export interface AuthenticationRequest {
  /** The strategy name (`jwt`, `local`...). */
  strategy?: string;
  /** Strategy-specific fields (`accessToken`, `email`, `password`...). */
  [key: string]: unknown;
}

/**
 * What a successful authentication resolves with, in Feathers' shape:
 * `{ accessToken?, authentication: { strategy, accessToken?, payload? }, [entity]: record }`.
 */
export interface AuthenticationResult {
  /** The access token (on login and with the JWT strategy). */
  accessToken?: string;
  /** How the caller was authenticated. */
  authentication?: {
    /** The strategy that authenticated. */
    strategy?: string;
    /** The verified token, when there is one. */
    accessToken?: string;
    /** The verified token payload, when there is one. */
    payload?: Record<string, unknown>;
    [key: string]: unknown;
  };
  /** The entity under its configured name (`user`...), and anything else a strategy adds. */
  [key: string]: unknown;
}

/** The realtime connection events a strategy can react to. */
export type ConnectionEvent = 'login' | 'logout' | 'disconnect';

/** A realtime connection (a WebSocket's state object); strategies store what they need on it. */
export type Connection = Record<string | symbol, unknown>;

/**
 * The minimal view of the authentication service a strategy is given by `setAuthentication`.
 * Declared here so strategies do not depend on the service class.
 */
export interface AuthenticationHost {
  /** The validated, read-only configuration (`authentication` section). */
  readonly configuration: Readonly<Record<string, any>>;
  /** The entity service at `path`, if registered. */
  getEntityService(path: string): EntityService<any> | undefined;
  /** Emits a service event (`login`, `logout`, `disconnect`, or a strategy's own). */
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * An authentication strategy, structurally compatible with Feathers' `AuthenticationStrategy`.
 */
export interface AuthenticationStrategy {
  /** Set by the service on register. */
  setName?(name: string): void;
  /** Set by the service on register. */
  setAuthentication?(auth: AuthenticationHost): void;
  /** Validates this strategy's configuration; MUST throw synchronously on a bad one. */
  verifyConfiguration?(): void;
  /** Called once the service is set up. */
  setup?(auth: AuthenticationHost): void | Promise<void>;
  /** Authenticates the data; resolves with a result or rejects with `NotAuthenticated`. */
  authenticate?(data: AuthenticationRequest, params: Params): Promise<AuthenticationResult>;
  /** Reads credentials from an HTTP request; resolves with null when it finds none. */
  parse?(req: unknown, res?: unknown): Promise<AuthenticationRequest | null>;
  /**
   * The request guards' shortcut (not in Feathers): authenticates `req` synchronously from what the
   * strategy already holds in memory (verified tokens, entities), or answers `undefined` whenever it
   * cannot, and the guard then takes the full path (`parse`, then `authenticate`). A result MUST be the
   * one `parse(req)` then `authenticate(data, { provider, authenticated: true })` would resolve with at
   * that moment, every check included (revocation, key, entity); when any of those steps is overridden,
   * the strategy answers `undefined`. A failure is never answered here: the full path reports it.
   * @param req - The request (a Node `IncomingMessage` or a Fetch `Request`).
   * @param provider - The guard's `params.provider` (`'rest'`).
   */
  authenticateFromCache?(req: unknown, provider: string): AuthenticationResult | undefined;
  /**
   * Called by `AuthenticationService.create` when this strategy's result already carries an access token
   * (a client re-authenticating with its token): resolves with the claims and signing options of a NEW
   * token to issue in its place (a refresh), or `undefined` to return the result unchanged (Feathers'
   * behaviour). MAY reject with `NotAuthenticated` to refuse the refresh (`session-expired`).
   */
  getRefreshOptions?(result: AuthenticationResult, params: Params): Promise<TokenRefresh | undefined>;
  /** Reacts to a realtime connection event. */
  handleConnection?(
    event: ConnectionEvent,
    connection: Connection,
    authResult?: AuthenticationResult,
  ): Promise<void>;
}

/** What a strategy's `getRefreshOptions` asks `create` to put in the token that replaces the caller's. */
export interface TokenRefresh {
  /** Claims merged over the login payload (`params.payload`). */
  payload?: Record<string, unknown>;
  /** Signing options merged over the login ones (`subject`, a shorter `expiresIn`...). */
  options?: Record<string, unknown>;
}

/**
 * Issues, verifies and revokes access tokens. Core has no crypto: a strategy package
 * (`@org/strategy-jwt`) registers one with `AuthenticationService.setTokenIssuer`.
 */
export interface TokenIssuer {
  /**
   * Signs a token.
   * @param payload - Claims; `sub` is set from the entity id on login.
   * @param options - Signing options (`expiresIn`, `subject`, `jwtid`, ...) merged over the configured ones.
   * @param secret - A key to sign with instead of the configured one (Feathers' `secretOverride`, for
   *   tokens of another kind: password reset, e-mail confirmation). An issuer MUST either sign with it,
   *   under its key policy, or throw: never ignore it.
   */
  createAccessToken(
    payload: Record<string, unknown>,
    options?: Record<string, unknown>,
    secret?: unknown,
  ): Promise<string>;
  /**
   * Verifies a token and resolves with its payload.
   * @param secret - A key to verify with instead of the configured ones; as for `createAccessToken`, an
   *   issuer MUST use it or throw.
   * @throws NotAuthenticated with a stable reason on every failure.
   */
  verifyAccessToken(
    token: string,
    options?: Record<string, unknown>,
    secret?: unknown,
  ): Promise<Record<string, unknown>>;
  /**
   * Revokes a verified token (logout). Optional: an issuer without revocation skips it.
   * @param token - The raw token.
   * @param payload - Its verified payload.
   */
  revokeAccessToken?(token: string, payload: Record<string, unknown>): Promise<void>;
}
