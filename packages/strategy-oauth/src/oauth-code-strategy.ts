import {
  AuthenticationBaseStrategy,
  GeneralError,
  NotAuthenticated,
  type AuthenticationRequest,
  type AuthenticationResult,
  type Params,
} from '@org/core';
import { parseCookies } from '@org/http';
import { BINDING_COOKIE, oauthContext } from './oauth-context.ts';
import type { CodeGrant } from './one-time-codes.ts';
import { OAuthStrategy } from './oauth-strategy.ts';

/**
 * The exchange of an OAuth login's one-time code for an access token: `POST /authentication
 * { strategy: 'oauth-code', code }` answers, as any login, `{ accessToken, authentication, user }`.
 * The code is single use, lives a minute, and is bound to the browser the callback sent it to (a
 * `HttpOnly` cookie sent with the exchange): a code read from a URL elsewhere is useless, and burnt.
 * List it in `authStrategies`.
 *
 * @example
 * ```ts
 * auth.register('oauth-code', new OAuthCodeStrategy());
 * // in the browser, on the page the login came back to:
 * const code = new URLSearchParams(location.hash.slice(1)).get('code');
 * history.replaceState(null, '', location.pathname); // the code leaves the address bar
 * const { accessToken } = await fetch('/authentication', {
 *   method: 'POST',
 *   credentials: 'include',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ strategy: 'oauth-code', code }),
 * }).then((r) => r.json());
 * ```
 */
export class OAuthCodeStrategy extends AuthenticationBaseStrategy {
  /**
   * Redeems a code bound to the cookies in `params.headers.cookie`.
   * @param code - The code.
   * @param params - The call parameters (the transport puts the request headers there).
   * @returns The login it stands for.
   * @throws NotAuthenticated `invalid-credentials` for a malformed, unknown, expired, used or foreign code.
   */
  async redeem(code: unknown, params: Params): Promise<CodeGrant> {
    const headers = (params.headers ?? {}) as Record<string, unknown>;
    const cookie = typeof headers.cookie === 'string' ? headers.cookie : undefined;
    return oauthContext(this.authentication!).codes.redeem(code, parseCookies(cookie)[BINDING_COOKIE]);
  }

  /**
   * Authenticates `{ strategy, code }`.
   * @param data - The request body.
   * @param params - The call parameters.
   * @returns `{ authentication: { strategy, provider }, [entity]: entity }`; the service adds the token.
   * @throws NotAuthenticated `invalid-credentials` for a bad code, `entity-not-found` when the user is gone.
   */
  async authenticate(data: AuthenticationRequest, params: Params): Promise<AuthenticationResult> {
    if (this.authentication === undefined)
      throw new GeneralError(`The '${this.name}' strategy is not registered`);
    const grant = await this.redeem(data.code, params);
    const strategy = (this.authentication as { getStrategy?(name: string): unknown }).getStrategy?.(
      grant.strategy,
    );
    if (!(strategy instanceof OAuthStrategy)) {
      throw new NotAuthenticated('Invalid or expired login code', { reason: 'invalid-credentials' });
    }
    const { provider: _provider, ...internal } = params;
    const service = strategy.entityService!;
    const entity = await service.get(grant.entityId, internal);
    return {
      authentication: { strategy: this.name, provider: grant.strategy },
      [strategy.configuration.entity]: await strategy.getEntity(entity, params),
    };
  }
}
