import { AuthenticationService } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { protect } from './protect.ts';
import { ADAPTERS } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

// Both strategies keep working when the users service paginates (Feathers' `paginate`): the local
// strategy's lookup reads a page, the JWT strategy reads the entity with `get`.
const password = 'correct horse battery staple';

describe.each(ADAPTERS)('strategies on a paginated users service, on $name', (adapter) => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened.splice(0)) await close();
  });

  it('local login, then a JWT request, with a page size of 1 and many users', async () => {
    const { users: store, close } = await adapter.create({
      uniqueFields: ['email'],
      paginate: { default: 1, max: 1 },
    });
    opened.push(close);
    const local = new LocalStrategy();
    const users = protect('password').service(hashPassword('password', { strategy: local }).service(store));
    const auth = new AuthenticationService(
      {
        secret: TEST_SECRET,
        entity: 'user',
        service: 'users',
        authStrategies: ['local', 'jwt'],
        local: { usernameField: 'email', passwordField: 'password', hashing: FAST_HASHING },
      },
      { services: { users } },
    );
    auth.register('jwt', new JWTStrategy());
    auth.register('local', local);
    await auth.setup();
    for (const name of ['a', 'b', 'c']) await users.create({ email: `${name}@example.com`, password });

    const page = (await users.find({ provider: 'rest' })) as { total: number; data: unknown[] };
    expect(page).toMatchObject({ total: 3, limit: 1 });
    expect(JSON.stringify(page)).not.toContain('$scrypt$');

    for (const email of ['c@example.com', 'a@example.com']) {
      const login = await auth.create({ strategy: 'local', email, password }, { provider: 'rest' });
      expect(login.user).toMatchObject({ email });
      const result = await auth.authenticate(
        { strategy: 'jwt', accessToken: login.accessToken as string },
        { provider: 'rest' },
        'jwt',
      );
      expect(result.user).toMatchObject({ email });
      expect(result.user).not.toHaveProperty('password');
    }
    await expect(
      auth.create({ strategy: 'local', email: 'b@example.com', password: 'wrong' }),
    ).rejects.toMatchObject({
      reason: 'invalid-credentials',
    });
  });
});
