import { describe, expect, it } from 'vitest';
import { MapService, testConfiguration } from '../test/fixtures.ts';
import { AuthenticationService } from './authentication-service.ts';
import { AuthenticationBaseStrategy } from './base-strategy.ts';

describe('AuthenticationBaseStrategy', () => {
  const users = new MapService();
  const admins = new MapService();
  const services = { users, admins };

  it('has no name, authentication or configuration before register', () => {
    const strategy = new AuthenticationBaseStrategy();
    expect(strategy.name).toBeUndefined();
    expect(strategy.authentication).toBeUndefined();
    expect(strategy.configuration).toBeUndefined();
    expect(strategy.entityService).toBeUndefined();
    expect(() => strategy.verifyConfiguration()).not.toThrow();
  });

  it('gets its name, the service and its configuration section on register', () => {
    const auth = new AuthenticationService(testConfiguration({ apiKey: { header: 'x-api-key' } }), {
      services,
    });
    const strategy = new AuthenticationBaseStrategy();
    auth.register('apiKey', strategy);
    expect(strategy.name).toBe('apiKey');
    expect(strategy.authentication).toBe(auth);
    expect(strategy.configuration).toEqual({ header: 'x-api-key' });
    expect(Object.isFrozen(strategy.configuration)).toBe(true);
  });

  it('entityService comes from its own service setting, else the top-level one', () => {
    const auth = new AuthenticationService(testConfiguration({ custom: { service: 'admins' } }), {
      services,
    });
    const own = new AuthenticationBaseStrategy();
    const inherited = new AuthenticationBaseStrategy();
    auth.register('custom', own);
    auth.register('plain', inherited);
    expect(own.entityService).toBe(admins);
    expect(inherited.entityService).toBe(users);
  });

  it('entityService is undefined without a service setting or a registered service', () => {
    const none = new AuthenticationService({ secret: 's', entity: null });
    const strategy = new AuthenticationBaseStrategy();
    none.register('x', strategy);
    expect(strategy.entityService).toBeUndefined();
    const missing = new AuthenticationService(testConfiguration({ service: 'ghosts' }), { services });
    const other = new AuthenticationBaseStrategy();
    missing.register('x', other);
    expect(other.entityService).toBeUndefined();
  });

  it('setup(auth) replaces the service it was given, setup() keeps it', async () => {
    const first = new AuthenticationService(testConfiguration(), { services });
    const second = new AuthenticationService(testConfiguration(), { services });
    const strategy = new AuthenticationBaseStrategy();
    first.register('x', strategy);
    await strategy.setup();
    expect(strategy.authentication).toBe(first);
    await strategy.setup(second);
    expect(strategy.authentication).toBe(second);
  });
});
