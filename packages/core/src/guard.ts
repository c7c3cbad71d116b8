import type { IncomingMessage } from 'node:http';
import type { AuthenticationBase } from './authentication-base.ts';
import { configError } from './options-check.ts';
import { NotAuthenticated, toAuthError, type AuthError } from './errors.ts';
import type { AuthenticationRequest, AuthenticationResult } from './strategy.ts';

/**
 * The part of the authentication service a guard uses; `authenticateFromCache`, when present, lets it
 * answer a request its strategy's caches already hold without the full path.
 */
export type GuardedAuthentication = Pick<AuthenticationBase, 'authenticate' | 'parse' | 'configuration'> &
  Partial<Pick<AuthenticationBase, 'authenticateFromCache'>>;

/** Settings of {@link authenticate}, {@link authenticateMiddleware} and {@link fastifyAuthenticate}. */
export interface AuthenticateOptions {
  /** The strategies that may parse and authenticate the request, in order (at least one). */
  strategies: string[];
  /**
   * The RFC 6750 realm sent in `WWW-Authenticate`.
   * @defaultValue `'api'`
   */
  realm?: string;
  /**
   * The `params.provider` strategies see.
   * @defaultValue `'rest'`
   */
  provider?: string;
  /**
   * Called with every error before a middleware sends it: the place to log a 500's `cause`, which never
   * leaves the server. If it throws, that is caught and reported as a process warning
   * (`ORG_AUTH_ONERROR_FAILED`), and the error response is sent all the same.
   */
  onError?: (error: AuthError, req: unknown) => void;
}

/** A request guard: authenticates a Node `IncomingMessage` or a Fetch `Request`. */
export type AuthenticateGuard = (req: IncomingMessage | Request) => Promise<AuthenticationResult>;

/** Settings with defaults applied. @internal */
export interface ResolvedAuthenticateOptions extends AuthenticateOptions {
  realm: string;
  provider: string;
}

/**
 * Reads `(settings, ...strategies)` the way Feathers' `authenticate` hook does.
 * @internal
 */
export function resolveAuthenticateOptions(
  settings: string | AuthenticateOptions,
  strategies: string[],
): ResolvedAuthenticateOptions {
  const options = typeof settings === 'string' ? { strategies: [settings, ...strategies] } : settings;
  if (!options || !Array.isArray(options.strategies) || options.strategies.length === 0) {
    throw configError('The authenticate guard needs at least one allowed strategy');
  }
  return { realm: 'api', provider: 'rest', ...options };
}

/**
 * Tells `onError` about an error, never letting a throwing callback stop the response (an unhandled
 * rejection in Connect, a generic 500 from Fastify instead of the real answer).
 * @internal
 */
export function notifyError(options: AuthenticateOptions, error: AuthError, req: unknown): void {
  if (options.onError === undefined) return;
  try {
    options.onError(error, req);
  } catch (thrown) {
    // The thrown value's message may carry anything: only its class name is logged.
    const kind = thrown instanceof Error ? thrown.name : typeof thrown;
    process.emitWarning(
      `The authenticate guard's onError callback threw (${kind}); the error response was sent anyway`,
      {
        code: 'ORG_AUTH_ONERROR_FAILED',
      },
    );
  }
}

// Sets the outcome of an authentication on `target` (the request, or a framework's request object).
function setOutcome(
  auth: GuardedAuthentication,
  target: object,
  result: AuthenticationResult,
  data: AuthenticationRequest,
): void {
  const entity = auth.configuration.entity;
  const carrier = target as Record<string, unknown>;
  carrier.authentication = result.authentication ?? data;
  if (typeof entity === 'string' && result[entity] !== undefined) carrier[entity] = result[entity];
}

/**
 * Authenticates `req` from the strategy's caches alone, synchronously (see
 * `AuthenticationBase.authenticateFromCache`), and sets the outcome on `target`; `undefined` when the
 * caches cannot answer, and the caller then takes {@link authenticateRequest}. Never throws.
 * @internal
 */
export function authenticateRequestFromCache(
  auth: GuardedAuthentication,
  options: ResolvedAuthenticateOptions,
  req: IncomingMessage | Request,
  target: object,
): AuthenticationResult | undefined {
  if (auth.authenticateFromCache === undefined) return undefined;
  try {
    const parseNames = auth.configuration.parseStrategies ?? options.strategies;
    const result = auth.authenticateFromCache(req, options.provider, parseNames, options.strategies);
    if (result?.authentication === undefined) return undefined;
    setOutcome(auth, target, result, result.authentication);
    return result;
  } catch {
    // A shortcut never fails a request: the full path meets the same problem and reports it.
    return undefined;
  }
}

/**
 * Authenticates `req` and sets the outcome on `target` (the request itself, or a framework's request
 * object wrapping it).
 * @internal
 */
export async function authenticateRequest(
  auth: GuardedAuthentication,
  options: ResolvedAuthenticateOptions,
  req: IncomingMessage | Request,
  target: object,
): Promise<AuthenticationResult> {
  try {
    // As Feathers' parseAuthentication: `parseStrategies`, when configured, decides what reads the request;
    // the guard's strategies then decide what may authenticate.
    const data = await auth.parse(req, ...(auth.configuration.parseStrategies ?? options.strategies));
    if (data === null) throw new NotAuthenticated('Not authenticated', { reason: 'no-credentials' });
    const result = await auth.authenticate(data, { provider: options.provider }, ...options.strategies);
    setOutcome(auth, target, result, data);
    return result;
  } catch (error) {
    throw toAuthError(error);
  }
}

/**
 * Creates a request guard: it parses credentials with the configured `parseStrategies` (else the named
 * strategies), authenticates them with the named strategies, and on success sets `req.authentication`
 * and the entity (`req.user`) on the request.
 *
 * @param auth - The authentication service.
 * @param settings - A strategy name, or {@link AuthenticateOptions}.
 * @param strategies - More strategy names.
 * @returns The guard; it resolves with the authentication result.
 * @throws BadRequest `invalid-configuration` (at creation) without a strategy. The guard rejects with
 *   NotAuthenticated `Not authenticated` (`no-credentials`) when the request carries no credentials, the
 *   strategy's error when they are invalid, and a 500 GeneralError (cause kept) for anything unexpected.
 * @example
 * ```ts
 * const requireUser = authenticate(auth, 'jwt');
 * export async function GET(request: Request) {
 *   const { user } = await requireUser(request);
 *   return Response.json(user);
 * }
 * ```
 */
export function authenticate(
  auth: GuardedAuthentication,
  settings: string | AuthenticateOptions,
  ...strategies: string[]
): AuthenticateGuard {
  const options = resolveAuthenticateOptions(settings, strategies);
  return (req) => {
    const cached = authenticateRequestFromCache(auth, options, req, req);
    return cached === undefined ? authenticateRequest(auth, options, req, req) : Promise.resolve(cached);
  };
}
