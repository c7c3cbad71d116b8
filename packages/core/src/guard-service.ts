import type { AuthenticationBase } from './authentication-base.ts';
import { configError } from './options-check.ts';
import type { Params } from './entity-service.ts';
import { NotAuthenticated } from './errors.ts';
import { SERVICE_METHODS, serviceCallParams, wrapService } from './wrap-service.ts';
import type { AuthenticationRequest } from './strategy.ts';

/** The part of the authentication service {@link guard} uses. */
export type ServiceGuardAuthentication = Pick<AuthenticationBase, 'authenticate'>;

/** Settings of {@link guard}. */
export interface GuardOptions {
  /** The strategies allowed to authenticate a call (at least one). */
  strategies: string[];
  /**
   * The methods to guard; each takes its params last, as Feathers' service methods do.
   * @defaultValue `['find', 'get', 'create', 'update', 'patch', 'remove']`
   */
  methods?: string[];
}

/**
 * Feathers' `authenticate` hook, as a function of the call's params.
 * @returns The params the guarded method is called with.
 */
async function authenticateParams(
  auth: ServiceGuardAuthentication,
  strategies: string[],
  params: Params,
): Promise<Params> {
  if (params.authenticated === true) return params;
  if (params.authentication) {
    const { provider: _provider, authentication, ...authParams } = params;
    const result = await auth.authenticate(
      authentication as AuthenticationRequest,
      authParams,
      ...strategies,
    );
    const { accessToken: _accessToken, ...rest } = result;
    return { ...params, ...rest, authenticated: true };
  }
  if (params.provider) throw new NotAuthenticated('Not authenticated', { reason: 'no-credentials' });
  return params;
}

/**
 * Guards a service's methods with Feathers' `authenticate` hook semantics, without Feathers:
 * - an internal call (no `params.provider`) without `params.authentication` passes untouched;
 * - a call with `params.authenticated === true` passes untouched;
 * - a call with `params.authentication` is authenticated with the given strategies, and the result
 *   (minus `accessToken`) is merged into its params with `authenticated: true`, so `params.user` is set;
 * - an external call without `params.authentication` is rejected.
 *
 * The guard is a proxy: every other property, the events and custom methods reach the service as they are.
 *
 * @param service - The service to guard (an `EntityService`, a Feathers service...).
 * @param auth - The authentication service.
 * @param settings - A strategy name, or {@link GuardOptions}.
 * @param strategies - More strategy names.
 * @returns The guarded service, with the same type.
 * @throws BadRequest `invalid-configuration` (at creation) without a strategy, or when guarding the
 *   authentication service itself. Guarded methods reject with NotAuthenticated `Not authenticated`
 *   (`no-credentials`) for an external call without credentials, or with the strategy's error.
 * @example
 * ```ts
 * app.use('messages', guard(messages, auth, 'jwt'));
 * await guarded.find({ provider: 'rest' }); // NotAuthenticated: Not authenticated
 * await guarded.find({ provider: 'rest', authentication: { strategy: 'jwt', accessToken } }); // params.user set
 * ```
 */
export function guard<S extends object>(
  service: S,
  auth: ServiceGuardAuthentication,
  settings: string | GuardOptions,
  ...strategies: string[]
): S {
  const options = typeof settings === 'string' ? { strategies: [settings, ...strategies] } : settings;
  if (!options || !Array.isArray(options.strategies) || options.strategies.length === 0) {
    throw configError('The authenticate guard needs at least one allowed strategy');
  }
  if ((service as unknown) === auth) {
    throw configError('The authenticate guard does not need to be used on the authentication service');
  }
  const allowed = options.strategies;
  return wrapService(service, options.methods ?? SERVICE_METHODS, (name, original) => async (...args) => {
    const { position, params } = serviceCallParams(name, args);
    const next = await authenticateParams(auth, allowed, params);
    if (next !== params) args[position] = next;
    return original(...args);
  });
}
