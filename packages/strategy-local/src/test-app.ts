import { AuthenticationService } from '@org/core';
import { TokenService } from '@org/strategy-jwt';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { TestUsers } from './test-users.ts';

/** The secret of the test applications (long enough for HS256). */
export const TEST_SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

/** The cheapest scrypt cost the hasher accepts, so tests stay fast. */
export const FAST_HASHING = { logN: 10 };

/**
 * The equivalent of Feathers' local-strategy test fixture: an authentication service with a `local`
 * strategy on a `users` store and a token issuer.
 * @param local - The `authentication.local` settings.
 * @param strategy - The strategy registered as `local`.
 */
export async function createTestApp(
  local: Record<string, unknown> = { usernameField: 'email', passwordField: 'password' },
  strategy: LocalStrategy = new LocalStrategy(),
) {
  const users = new TestUsers();
  const auth = new AuthenticationService(
    {
      entity: 'user',
      service: 'users',
      secret: TEST_SECRET,
      authStrategies: ['local', 'jwt'],
      local: { hashing: FAST_HASHING, ...local },
    },
    { services: { users } },
  );
  auth.setTokenIssuer(TokenService.fromConfiguration(auth.configuration));
  auth.register('local', strategy);
  await auth.setup();
  const hash = hashPassword(String(strategy.configuration.entityPasswordField), { hasher: strategy.hasher });
  const createUser = async (data: Record<string, unknown>) => users.create(await hash.data(data));
  return { auth, users, strategy, createUser };
}
