import bcrypt from 'bcryptjs';
import { AuthenticationService, BadRequest, NotAuthenticated, type Params, type Query } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { protect } from './protect.ts';
import { ADAPTERS } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

/** Refuses disabled users on every request, as an application would. */
class ActiveUsersJWT extends JWTStrategy {
  override async getEntityQuery(_params: Params): Promise<Query> {
    return { disabled: false };
  }
}

const password = 'correct horse battery staple';

async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => expect.unreachable('Should have failed'),
    (error: unknown) => error,
  );
}

describe.each(ADAPTERS)('login with local, then JWT, on $name', (adapter) => {
  const opened: Array<() => Promise<void>> = [];
  const auths: AuthenticationService[] = [];

  async function setup(extra: Record<string, unknown> = {}) {
    const { users, close } = await adapter.create({ uniqueFields: ['email'] });
    opened.push(close);
    // Registered protected, as the README says; `users` stays the raw store for setup, spies and checks.
    const protectedUsers = protect('password').service(users);
    const auth = new AuthenticationService(
      {
        secret: TEST_SECRET,
        entity: 'user',
        service: 'users',
        authStrategies: ['local', 'jwt'],
        local: { usernameField: 'email', passwordField: 'password', hashing: FAST_HASHING },
        ...extra,
      },
      { services: { users: protectedUsers } },
    );
    const jwt = new ActiveUsersJWT();
    const local = new LocalStrategy();
    auth.register('jwt', jwt);
    auth.register('local', local);
    await auth.setup();
    auths.push(auth);
    const hash = hashPassword('password', { hasher: local.hasher });
    const user = await users.create(await hash.data({ email: 'ada@example.com', password, disabled: false }));
    return { auth, users, jwt, local, user };
  }

  afterEach(async () => {
    for (const auth of auths.splice(0)) {
      (auth.getStrategy('jwt') as JWTStrategy).entityCache?.close();
    }
  });

  afterAll(async () => {
    for (const close of opened.splice(0)) await close();
  });

  it('issues a token on local login whose sub is the id as a string, and the token authenticates', async () => {
    const { auth, user } = await setup();
    const login = await auth.create(
      { strategy: 'local', email: 'ada@example.com', password },
      { provider: 'rest' },
    );
    expect(login.accessToken).toEqual(expect.any(String));
    expect(login.authentication).toMatchObject({ strategy: 'local', payload: { sub: String(user.id) } });
    expect(login.user).toMatchObject({ id: user.id, email: 'ada@example.com' });
    expect(JSON.stringify(login)).not.toContain('$scrypt$');

    const request = new Request('http://localhost/messages', {
      headers: { Authorization: `Bearer ${login.accessToken}` },
    });
    const credentials = await auth.parse(request, 'jwt');
    expect(credentials).toEqual({ strategy: 'jwt', accessToken: login.accessToken });

    const result = await auth.authenticate(credentials!, { provider: 'rest' }, 'jwt');
    expect(result.authentication).toMatchObject({ strategy: 'jwt', accessToken: login.accessToken });
    expect(result.user).toMatchObject({ id: user.id, email: 'ada@example.com' });
    expect(result.user).not.toHaveProperty('password');
    expect(JSON.stringify(result)).not.toContain('$scrypt$');
  });

  it('keeps the hash for internal calls: local login still works, and an internal JWT call sees the entity', async () => {
    const { auth, users, user } = await setup();
    expect((await users.get(user.id)).password).toMatch(/^\$scrypt\$/);
    const login = await auth.create({ strategy: 'local', email: 'ada@example.com', password });
    expect(login.accessToken).toEqual(expect.any(String));
    const internal = await auth.authenticate({ strategy: 'jwt', accessToken: login.accessToken }, {}, 'jwt');
    expect(internal.user).toMatchObject({ id: user.id, password: expect.stringMatching(/^\$scrypt\$/) });
  });

  it('refuses a wrong password (401) and an operator object (400)', async () => {
    const { auth } = await setup();
    const wrong = await failure(
      auth.create({ strategy: 'local', email: 'ada@example.com', password: 'nope' }),
    );
    expect(wrong).toBeInstanceOf(NotAuthenticated);
    expect(wrong).toMatchObject({ message: 'Invalid login', reason: 'invalid-credentials' });

    const injected = await failure(auth.create({ strategy: 'local', email: { $ne: null }, password }));
    expect(injected).toBeInstanceOf(BadRequest);
    expect(injected).toMatchObject({ reason: 'invalid-credentials-format' });
  });

  it('upgrades a Feathers bcrypt hash to scrypt through the adapter on login', async () => {
    const { auth, users } = await setup({
      local: {
        usernameField: 'email',
        passwordField: 'password',
        hashing: { ...FAST_HASHING, bcrypt: 'upgrade', bcryptCost: 4 },
      },
    });
    const legacy = await users.create({
      email: 'legacy@example.com',
      password: await bcrypt.hash(password, 4),
    });
    await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect((await users.get(legacy.id)).password).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    const again = await auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect(again.accessToken).toEqual(expect.any(String));
  });

  it('without entityCache, every JWT request reads the store', async () => {
    const { auth, users, jwt } = await setup();
    expect(jwt.entityCache).toBeUndefined();
    const { accessToken } = await auth.create({ strategy: 'local', email: 'ada@example.com', password });
    const get = vi.spyOn(users, 'get');
    await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    await auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('with entityCache, serves repeated requests from the cache and refuses a disabled or removed user at once', async () => {
    const { auth, users, user, jwt } = await setup({ entityCache: { ttl: 60_000 } });
    expect(jwt.entityCache).toBeDefined();
    const { accessToken } = await auth.create({ strategy: 'local', email: 'ada@example.com', password });
    const get = vi.spyOn(users, 'get');
    const request = () => auth.authenticate({ strategy: 'jwt', accessToken }, {}, 'jwt');

    await request();
    await request();
    expect(get).toHaveBeenCalledTimes(1);

    await users.patch(user.id, { disabled: true });
    const disabled = await failure(request());
    expect(disabled).toBeInstanceOf(NotAuthenticated);
    expect(disabled).toMatchObject({ reason: 'entity-not-found' });

    await users.patch(user.id, { disabled: false });
    await request();
    await users.remove(user.id);
    const removed = await failure(request());
    expect(removed).toBeInstanceOf(NotAuthenticated);
    expect(removed).toMatchObject({ reason: 'entity-not-found' });
  });
});
