import { feathers } from '@feathersjs/feathers';
import { memory } from '@feathersjs/memory';
import bcrypt from 'bcryptjs';
import { AuthenticationService, type EntityService } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { protect } from './protect.ts';
import { ADAPTERS } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

// Invariant 8: a password hash reaches the store exactly once per change, whatever hooks the users service
// has. A service that hashes before create and patch (as Feathers apps are generated, and as the guide
// wires hashPassword) used to hash the login's upgraded hash again: login 1 worked, every later one failed.
const password = 'correct horse battery staple';
const hashing = { ...FAST_HASHING, bcrypt: 'upgrade', bcryptCost: 4 };

function authFor(
  users: EntityService,
  local: LocalStrategy,
  settings: Record<string, unknown> = { hashing },
): AuthenticationService {
  const auth = new AuthenticationService(
    {
      secret: TEST_SECRET,
      entity: 'user',
      service: 'users',
      authStrategies: ['local', 'jwt'],
      local: { usernameField: 'email', passwordField: 'password', ...settings },
    },
    { services: { users } },
  );
  auth.register('jwt', new JWTStrategy());
  auth.register('local', local);
  return auth;
}

afterEach(() => vi.restoreAllMocks());

describe.each(ADAPTERS)(
  'the bcrypt upgrade with hashPassword().service() wired as the guide says, on $name',
  (adapter) => {
    const opened: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const close of opened.splice(0)) await close();
    });

    async function wired(settings?: Record<string, unknown>) {
      const { users: store, close } = await adapter.create({ uniqueFields: ['email'] });
      opened.push(close);
      const local = new LocalStrategy();
      const users = protect('password').service(hashPassword('password', { strategy: local }).service(store));
      const auth = authFor(users, local, settings);
      await auth.setup();
      return { store, users, local, auth, patch: vi.spyOn(store, 'patch') };
    }

    it('logs in three times, and the upgrade reaches the store exactly once', async () => {
      const { store, users, local, auth, patch } = await wired();
      const legacy = await store.create({
        email: 'legacy@example.com',
        password: await bcrypt.hash(password, 4),
      });
      const signedUp = await users.create({ email: 'new@example.com', password }, { provider: 'rest' });
      expect(signedUp).not.toHaveProperty('password');

      for (let login = 1; login <= 3; login++) {
        for (const email of ['legacy@example.com', 'new@example.com']) {
          const result = await auth.create({ strategy: 'local', email, password }, { provider: 'rest' });
          expect(result.accessToken, `${email}, login ${login}`).toEqual(expect.any(String));
        }
      }
      expect(patch).toHaveBeenCalledTimes(1);
      const stored = (await store.get(legacy.id)).password as string;
      expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
      expect(await local.hasher.verify(password, stored)).toBe(true);
      expect(await local.hasher.verify(password, (await store.get(signedUp.id)).password)).toBe(true);
    });

    // The promise to people migrating from Feathers: with no bcrypt setting at all, their users' hashes
    // (cost 10, Feathers' default hashSize) log in, and are upgraded once. Only scrypt's cost is lowered.
    it('with the default configuration, a Feathers bcrypt hash logs in three times and is upgraded to scrypt with exactly one write', async () => {
      const { store, local, auth, patch } = await wired({ hashing: FAST_HASHING });
      expect({ bcrypt: local.hasher.bcrypt, cost: local.hasher.bcryptCost }).toEqual({
        bcrypt: 'upgrade',
        cost: 10,
      });
      const legacy = await store.create({
        email: 'legacy@example.com',
        password: await bcrypt.hash(password, 10),
      });
      for (let login = 1; login <= 3; login++) {
        const result = await auth.create(
          { strategy: 'local', email: 'legacy@example.com', password },
          { provider: 'rest' },
        );
        expect(result.accessToken, `login ${login}`).toEqual(expect.any(String));
      }
      expect(patch).toHaveBeenCalledTimes(1);
      const stored = (await store.get(legacy.id)).password as string;
      expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
      expect(await local.hasher.verify(password, stored)).toBe(true);
    });
  },
);

describe('the bcrypt upgrade on a Feathers users service', () => {
  function feathersUsers(hook: (context: any) => Promise<void>) {
    const app = feathers();
    app.use('users', memory({ paginate: { default: 10, max: 50 } }));
    app.service('users').hooks({ before: { create: [hook], update: [hook], patch: [hook] } });
    return app.service('users') as unknown as EntityService;
  }

  it("with this package's hashPassword hook: three logins, one write", async () => {
    const local = new LocalStrategy();
    const users = feathersUsers(hashPassword('password', { strategy: local }));
    const auth = authFor(users, local);
    await auth.setup();
    const created = await users.create({ email: 'legacy@example.com', password: 'placeholder' });
    // Put a Feathers bcrypt hash in place, as the upgrade itself would (the hook stores it as it is).
    await users.patch(created.id, { password: await bcrypt.hash(password, 4) }, { passwordUpgrade: true });
    const patch = vi.spyOn(users, 'patch');
    for (let login = 1; login <= 3; login++) {
      await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    }
    expect(patch).toHaveBeenCalledTimes(1);
  });

  it("with a hashing hook that knows nothing of the upgrade (as Feathers' own): no lockout, and a warning", async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const local = new LocalStrategy();
    // What @feathersjs/authentication-local's hashPassword does: bcrypt whatever the field holds.
    const feathersStyle = async (context: any) => {
      if (typeof context.data?.password === 'string') {
        context.data = { ...context.data, password: await bcrypt.hash(context.data.password, 4) };
      }
    };
    const users = feathersUsers(feathersStyle);
    const auth = authFor(users, local);
    await auth.setup();
    await users.create({ email: 'legacy@example.com', password });
    for (let login = 1; login <= 3; login++) {
      const result = await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
      expect(result.accessToken, `login ${login}`).toEqual(expect.any(String));
    }
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('rewrote'), {
      code: 'ORG_PASSWORD_UPGRADE_REHASHED',
    });
  });
});
