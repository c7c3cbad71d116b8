import { generateKeyPairSync } from 'node:crypto';
import { MemoryService } from '@org/adapter-memory';
import { AuthenticationService, type AuthenticationConfiguration } from '@org/core';
import { JWTStrategy, JwksEndpoint, createDenylist } from '@org/strategy-jwt';
import { LocalStrategy, hashPassword, protect } from '@org/strategy-local';
import Keyv from 'keyv';

/** A strong test secret. */
export const TEST_SECRET = 'kQ3v8yP1tZ7xW2nR6mB9cL4sH0dF5gJ-aE8uI1oY3rT6wQ9zX2vN5bM7kC0pS4hG';

/** The password of every test user. */
export const PASSWORD = 'correct horse battery staple';

/**
 * A real authentication service: memory users behind `protect('password')` (ada@example.com, id 1), the JWT strategy with a
 * denylist (logout revokes), and the local strategy with the cheapest scrypt cost.
 * @param configuration - Settings over the defaults.
 */
export async function createTestAuth(configuration: Partial<AuthenticationConfiguration> = {}) {
  const store = new MemoryService({ id: 'id' });
  // As a real application does: external calls (the JWT strategy's entity lookup) never see the hash.
  const users = protect('password').service(store);
  const auth = new AuthenticationService(
    {
      entity: 'user',
      service: 'users',
      secret: TEST_SECRET,
      authStrategies: ['local', 'jwt'],
      local: { usernameField: 'email', passwordField: 'password', hashing: { logN: 10 } },
      revocation: createDenylist({ store: new Keyv() }),
      ...configuration,
    } as AuthenticationConfiguration,
    { services: { users } },
  );
  const local = new LocalStrategy();
  auth.register('jwt', new JWTStrategy());
  auth.register('local', local);
  await auth.setup();
  const hash = hashPassword('password', { hasher: local.hasher });
  await store.create(await hash.data({ email: 'ada@example.com', password: PASSWORD, name: 'Ada' }));
  return { auth, users };
}

/** A JWKS endpoint over one fixed EC public key (no key ring needed to test the route). */
export function testJwksEndpoint(): JwksEndpoint {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'ES256', use: 'sig' };
  return new JwksEndpoint({
    jwks: () => ({ keys: [jwk] }),
    nextChangeAt: () => undefined,
    onChange: () => undefined,
  });
}
