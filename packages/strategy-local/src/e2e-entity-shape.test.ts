import bcrypt from 'bcryptjs';
import { AuthenticationService, BadRequest, NotAuthenticated } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { protect } from './protect.ts';
import { ADAPTERS, type StoreOptions } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

const password = 'correct horse battery staple';

async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => expect.unreachable('Should have failed'),
    (error: unknown) => error,
  );
}

function expectInvalidLogin(error: unknown) {
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error).toMatchObject({ code: 401, message: 'Invalid login', reason: 'invalid-credentials' });
}

// The entity shapes a Feathers app may already have: credentials nested under a field (dot paths in
// `entityUsernameField` / `entityPasswordField`, which the store must query as a JSON path) and
// string ids, which must round-trip through `sub` and back into `get`.
describe.each(ADAPTERS)('entity shapes on $name', (adapter) => {
  const opened: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const close of opened.splice(0)) await close();
  });

  async function setup(store: StoreOptions, local: Record<string, unknown>, hidden: string) {
    const { users, close } = await adapter.create(store);
    opened.push(close);
    const auth = new AuthenticationService(
      {
        secret: TEST_SECRET,
        entity: 'user',
        service: 'users',
        authStrategies: ['local', 'jwt'],
        local: { usernameField: 'email', passwordField: 'password', hashing: FAST_HASHING, ...local },
      },
      { services: { users: protect(hidden).service(users) } },
    );
    const strategy = new LocalStrategy();
    auth.register('jwt', new JWTStrategy());
    auth.register('local', strategy);
    await auth.setup();
    const hash = hashPassword(strategy.configuration.entityPasswordField, { hasher: strategy.hasher });
    const create = async (data: Record<string, unknown>) => users.create(await hash.data(data));
    return { auth, users, create };
  }

  describe('nested credentials (auth.email, auth.password)', () => {
    const nested = () =>
      setup(
        { uniqueFields: ['name'] },
        {
          entityUsernameField: 'auth.email',
          entityPasswordField: 'auth.password',
          hashing: { ...FAST_HASHING, bcrypt: 'upgrade', bcryptCost: 4 },
        },
        'auth.password',
      );

    it('logs in by the nested username, not a top-level field of the same name, then the JWT authenticates', async () => {
      const { auth, create } = await nested();
      // The decoy's top-level `email` is Ada's address: a store that ignored the dot path would find it.
      await create({ name: 'Decoy', email: 'ada@example.com', auth: { email: 'd@example.com', password } });
      const ada = await create({ name: 'Ada', auth: { email: 'ada@example.com', password, mfa: false } });
      expect(ada.auth.password).toMatch(/^\$scrypt\$/);

      const login = await auth.create(
        { strategy: 'local', email: 'ada@example.com', password },
        { provider: 'rest' },
      );
      expect(login.user).toEqual({ id: ada.id, name: 'Ada', auth: { email: 'ada@example.com', mfa: false } });
      expect(login.authentication).toMatchObject({ payload: { sub: String(ada.id) } });

      const credentials = await auth.parse(
        new Request('http://localhost/', { headers: { Authorization: `Bearer ${login.accessToken}` } }),
        'jwt',
      );
      const result = await auth.authenticate(credentials!, { provider: 'rest' }, 'jwt');
      expect(result.user).toEqual(login.user);
      expect(JSON.stringify([login, result])).not.toContain('$scrypt$');
    });

    it('refuses a wrong or missing password, an unknown username, a top-level-only match and an entity without a hash alike (401)', async () => {
      const { auth, users, create } = await nested();
      await create({ name: 'Ada', auth: { email: 'ada@example.com', password } });
      await create({ name: 'Top', email: 'top@example.com', password });
      await users.create({ name: 'NoHash', auth: { email: 'nohash@example.com' } });
      for (const body of [
        { email: 'ada@example.com', password: 'wrong' },
        { email: 'ada@example.com' },
        { email: 'nobody@example.com', password },
        { email: 'top@example.com', password },
        { email: 'nohash@example.com', password },
      ]) {
        expectInvalidLogin(await failure(auth.create({ strategy: 'local', ...body })));
      }
    });

    it('refuses an operator object as the username with a 400 that never reaches the store', async () => {
      const { auth, users, create } = await nested();
      await create({ name: 'Ada', auth: { email: 'ada@example.com', password } });
      const find = vi.spyOn(users, 'find');
      const error = await failure(auth.create({ strategy: 'local', email: { $ne: null }, password }));
      expect(error).toBeInstanceOf(BadRequest);
      expect(error).toMatchObject({ code: 400, reason: 'invalid-credentials-format' });
      expect(find).not.toHaveBeenCalled();
    });

    it('upgrades a nested Feathers bcrypt hash in place, keeping its siblings, and finds the user after', async () => {
      const { auth, users } = await nested();
      const legacy = await users.create({
        name: 'Legacy',
        auth: { email: 'legacy@example.com', password: await bcrypt.hash(password, 4), mfa: true },
      });
      await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
      const stored = await users.get(legacy.id);
      expect(stored.auth).toEqual({
        email: 'legacy@example.com',
        password: expect.stringMatching(/^\$scrypt\$ln=10,r=8,p=1\$/),
        mfa: true,
      });
      const again = await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
      expect(again.user).toMatchObject({ id: legacy.id });
    });
  });

  it('string ids (_id) round-trip as the `sub` of the token and back into the store', async () => {
    const { auth, create } = await setup(
      { uniqueFields: ['email'], id: '_id', idType: 'string' },
      {},
      'password',
    );
    const ada = await create({ email: 'ada@example.com', password });
    expect(ada._id).toEqual(expect.any(String));

    const login = await auth.create({ strategy: 'local', email: 'ada@example.com', password });
    expect(login.authentication).toMatchObject({ payload: { sub: ada._id } });
    const result = await auth.authenticate(
      { strategy: 'jwt', accessToken: login.accessToken },
      { provider: 'rest' },
      'jwt',
    );
    expect(result.user).toEqual({ _id: ada._id, email: 'ada@example.com' });
  });

  it.each([
    ['a NUL character', 'ada\u0000@example.com'],
    ['an unpaired surrogate', 'ada\ud800@example.com'],
  ])('a username with %s is the same 401 (PostgreSQL cannot hold it: never a 500)', async (_, email) => {
    const { auth, create } = await setup({ uniqueFields: ['email'] }, {}, 'password');
    await create({ email: 'ada@example.com', password });
    expectInvalidLogin(await failure(auth.create({ strategy: 'local', email, password })));
  });
});
