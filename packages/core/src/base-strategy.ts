import type { EntityService } from './entity-service.ts';
import type { AuthenticationHost, AuthenticationStrategy } from './strategy.ts';

/**
 * A base class for strategies, as Feathers' `AuthenticationBaseStrategy`: it keeps the name and the
 * authentication service the strategy was registered with, and reads its own configuration section.
 *
 * @example
 * ```ts
 * class ApiKeyStrategy extends AuthenticationBaseStrategy {
 *   async authenticate(data: AuthenticationRequest) {
 *     if (data.apiKey !== this.configuration.key) throw new NotAuthenticated('Invalid API key');
 *     return { authentication: { strategy: this.name } };
 *   }
 * }
 * auth.register('apiKey', new ApiKeyStrategy()); // reads authentication.apiKey
 * ```
 */
export class AuthenticationBaseStrategy implements AuthenticationStrategy {
  /** The authentication service this strategy is registered with. */
  authentication?: AuthenticationHost;
  /** The name this strategy is registered under. */
  name?: string;

  /** Called by the service on register. @param name - The registered name. */
  setName(name: string): void {
    this.name = name;
  }

  /** Called by the service on register. @param auth - The authentication service. */
  setAuthentication(auth: AuthenticationHost): void {
    this.authentication = auth;
  }

  /**
   * This strategy's section of the authentication configuration (`authentication.<name>`), read-only;
   * `undefined` before registration or when the section is absent.
   */
  get configuration(): any {
    if (this.name === undefined) return undefined;
    return this.authentication?.configuration[this.name];
  }

  /**
   * The entity service named by this strategy's `service` setting, else by the top-level `service`;
   * `undefined` when none is configured or registered.
   */
  get entityService(): EntityService | undefined {
    const own: unknown = (this.configuration as { service?: unknown } | undefined)?.service;
    const service = own ?? this.authentication?.configuration.service;
    if (typeof service !== 'string' || service === '') return undefined;
    return this.authentication?.getEntityService(service);
  }

  /** Validates this strategy's configuration; the base accepts any. Override it to throw synchronously. */
  verifyConfiguration(): void {}

  /**
   * Called once the authentication service is set up.
   * @param auth - The authentication service; replaces the one given on register when passed.
   */
  setup(auth?: AuthenticationHost): void | Promise<void> {
    if (auth !== undefined) this.authentication = auth;
  }
}
