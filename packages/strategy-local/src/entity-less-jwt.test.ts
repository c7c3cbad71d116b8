import {
  AuthenticationService as FeathersAuthentication,
  JWTStrategy as FeathersJWT,
} from '@feathersjs/authentication';
import { LocalStrategy as FeathersLocal, hooks as feathersHooks } from '@feathersjs/authentication-local';
import { feathers } from '@feathersjs/feathers';
import { memory } from '@feathersjs/memory';
import { AuthenticationService, BadRequest } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';
import { TestUsers } from './test-users.ts';

// Issue 8: `entity: null` makes the JWT strategy entity-less (stateless tokens); the local strategy beside
// it still logs users in, as Feathers allows. Only what cannot work is refused, saying why.

const password = 'the-right-password';
const CONFIG = {
  entity: null,
  service: 'users',
  secret: TEST_SECRET,
  authStrategies: ['local', 'jwt'],
  local: { usernameField: 'email', passwordField: 'password' },
};

beforeEach(() => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function ours(config: Record<string, unknown> = CONFIG) {
  const users = new TestUsers();
  const auth = new AuthenticationService(
    { ...config, local: { hashing: FAST_HASHING, ...(config.local as object) } } as never,
    { services: { users } },
  );
  const local = new LocalStrategy();
  auth.register('jwt', new JWTStrategy());
  auth.register('local', local);
  await auth.setup();
  const hash = hashPassword('password', { hasher: local.hasher });
  await users.create(await hash.data({ email: 'ada@example.com', password }));
  return auth;
}

describe('entity: null with the local strategy registered', () => {
  it('Feathers starts and logs in with it', async () => {
    const app = feathers();
    const authentication = new FeathersAuthentication(app);
    app.set('authentication', CONFIG);
    authentication.register('jwt', new FeathersJWT());
    authentication.register('local', new FeathersLocal());
    app.use('authentication', authentication);
    app.use('users', memory());
    app.service('users').hooks({ create: [feathersHooks.hashPassword('password')] });
    await app.setup();
    await app.service('users').create({ email: 'ada@example.com', password });
    const result = await app
      .service('authentication')
      .create({ strategy: 'local', email: 'ada@example.com', password });
    expect(typeof result.accessToken).toBe('string');
  });

  it('starts here too: local finds the user, the token names it, the JWT strategy runs without an entity', async () => {
    const auth = await ours();
    const login = await auth.create(
      { strategy: 'local', email: 'ada@example.com', password },
      { provider: 'rest' },
    );
    expect(login.user).toMatchObject({ email: 'ada@example.com' });
    const payload = await auth.verifyAccessToken(login.accessToken!);
    expect(payload.sub).toBe(String((login.user as { id: unknown }).id));
    const result = await auth.authenticate({ strategy: 'jwt', accessToken: login.accessToken }, {}, 'jwt');
    expect(result.authentication?.payload).toMatchObject({ sub: payload.sub });
    expect(Object.keys(result).sort()).toEqual(['accessToken', 'authentication']);
  });

  it.each([
    [
      'local.entity: null',
      { ...CONFIG, local: { ...CONFIG.local, entity: null } },
      "The 'local' strategy returns the user it finds under 'local.entity', which must be a name, not null ('entity: null' at the top level is what makes the JWT strategy entity-less)",
    ],
    [
      'no entity service at all',
      { ...CONFIG, service: undefined },
      "The 'local' strategy finds users in an entity service: set 'service' (or 'local.service')",
    ],
  ])('refuses only what cannot work: %s', async (_name, config, message) => {
    const error = await ours(config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-configuration', message });
  });
});
