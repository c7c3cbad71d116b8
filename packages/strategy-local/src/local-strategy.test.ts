import { AuthenticationService, BadRequest, NotAuthenticated } from '@org/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalStrategy } from './local-strategy.ts';
import { PasswordHasher } from './password-hasher.ts';
import { createTestApp, TEST_SECRET } from './test-app.ts';
import { TestUsers } from './test-users.ts';

const password = 'localsecret';
const email = 'localtester@feathersjs.com';

async function rejection(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => expect.unreachable('Should never get here'),
    (error: unknown) => error,
  );
}

function expectInvalidLogin(error: unknown, message = 'Invalid login') {
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error).toMatchObject({
    name: 'NotAuthenticated',
    message,
    code: 401,
    reason: 'invalid-credentials',
  });
}

// The cases of Feathers' `@feathersjs/authentication-local/strategy` tests, same names and outcomes.
describe('LocalStrategy (Feathers semantics)', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let user: Record<string, any>;

  beforeEach(async () => {
    app = await createTestApp();
    user = await app.createUser({ email, password });
  });

  it('throw error when configuration is not set', () => {
    let error: unknown;
    try {
      app.auth.register('something', new LocalStrategy());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      message: `'something' authentication strategy requires a 'usernameField' setting`,
      reason: 'invalid-configuration',
      code: 400,
    });
  });

  it('fails when entity not found', async () => {
    const error = await rejection(app.auth.create({ strategy: 'local', email: 'not in database', password }));
    expectInvalidLogin(error);
  });

  it('getEntity', async () => {
    const [strategy] = app.auth.getStrategies('local') as [LocalStrategy];
    expect(await strategy.getEntity(user, {})).toEqual(user);

    const { password: _hash, ...safe } = user;
    expect(await strategy.getEntity(user, { provider: 'testing' })).toEqual({ ...safe, fromGet: true });

    const error = await rejection(strategy.getEntity({}, {}));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error.message).toBe('Could not get local entity');
  });

  it('strategy fails when strategy is different', async () => {
    const [local] = app.auth.getStrategies('local') as [LocalStrategy];
    expectInvalidLogin(
      await rejection(local.authenticate({ strategy: 'not-me', password: 'dummy', email }, {})),
    );
  });

  it('fails when password is wrong', async () => {
    expectInvalidLogin(await rejection(app.auth.create({ strategy: 'local', email, password: 'dummy' })));
  });

  it('fails when password field is not available', async () => {
    const userEmail = 'someuser@localtest.com';
    await app.users.create({ email: userEmail });
    expectInvalidLogin(
      await rejection(app.auth.create({ strategy: 'local', password: 'dummy', email: userEmail })),
    );
  });

  it('authenticates an existing user', async () => {
    const authResult = await app.auth.create({ strategy: 'local', email, password });
    const { accessToken } = authResult;
    expect(accessToken).toEqual(expect.any(String));
    expect((authResult.user as any).email).toBe(email);
    expect(authResult.authentication?.strategy).toBe('local');

    const decoded = await app.auth.verifyAccessToken(accessToken!);
    expect(decoded.sub).toBe(`${user.id}`);
  });

  it('returns safe result when params.provider is set, works without pagination', async () => {
    const authResult = await app.auth.create(
      { strategy: 'local', email, password },
      { provider: 'rest', paginate: false },
    );
    const resultUser = authResult.user as any;
    expect(authResult.accessToken).toEqual(expect.any(String));
    expect(resultUser.email).toBe(email);
    expect(resultUser.password).toBeUndefined();
    expect(resultUser.fromGet).toBe(true);
    expect(JSON.stringify(authResult)).not.toContain('$scrypt$');

    const decoded = await app.auth.verifyAccessToken(authResult.accessToken!);
    expect(decoded.sub).toBe(`${user.id}`);
  });
});

describe('LocalStrategy (missing fields)', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;

  beforeEach(async () => {
    app = await createTestApp();
    await app.createUser({ email, password: '' }); // hashPassword hashes even the empty string
    await app.createUser({ email: 'other@example.com', password });
  });

  it.each([
    ['no password', { email }],
    ['an empty password', { email, password: '' }],
    ['a null password', { email, password: null }],
    ['no username', { password }],
    ['an empty username', { email: '', password }],
    ['nothing', {}],
  ])('fails with %s, even for a user whose stored password is empty', async (_, body) => {
    expectInvalidLogin(await rejection(app.auth.create({ strategy: 'local', ...body })));
  });

  it('does not query the store without a username', async () => {
    await rejection(app.auth.create({ strategy: 'local', password }));
    expect(app.users.calls.filter((call) => call.method === 'find')).toEqual([]);
  });
});

describe('LocalStrategy (settings)', () => {
  it('requires passwordField, with the Feathers message', async () => {
    const error = await rejection(createTestApp({ usernameField: 'email' }));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.message).toBe(`'local' authentication strategy requires a 'passwordField' setting`);
  });

  it.each([
    [
      { errorMesage: 'x' },
      "Unknown 'local' authentication setting 'errorMesage'. Did you mean 'errorMessage'?",
    ],
    [{ salt: 'x' }, "Unknown 'local' authentication setting 'salt'"],
    [
      { entityUsernameField: 'auth..email' },
      "The 'local' setting 'entityUsernameField' must be a field name or a dot path",
    ],
    [
      { entityPasswordField: '__proto__' },
      "The 'local' setting 'entityPasswordField' must be a field name or a dot path",
    ],
    [{ errorMessage: '' }, "The 'local' setting 'errorMessage' must be a non-empty string"],
    [
      { entity: null },
      "The 'local' strategy returns the user it finds under 'local.entity', which must be a name, not null ('entity: null' at the top level is what makes the JWT strategy entity-less)",
    ],
    [{ maxPasswordLength: 0 }, "The 'local' setting 'maxPasswordLength' must be a positive integer"],
    [{ hashing: 'scrypt' }, "The 'local' setting 'hashing' must be an object of scrypt parameters"],
    [{ hashing: { logN: 4 } }, "Password hashing option 'logN' must be an integer from 10 to 22"],
    // A `$` segment is a query operator, never an equality on the username.
    [
      { entityUsernameField: '$limit' },
      "The 'local' setting 'entityUsernameField' must not start a segment with '$'",
    ],
    [
      { entityUsernameField: 'auth.$where' },
      "The 'local' setting 'entityUsernameField' must not start a segment with '$'",
    ],
    [{ usernameField: '$or' }, "The 'local' setting 'entityUsernameField' must not start a segment with '$'"],
    [
      { hashing: { maxPasswordLength: 10 } },
      "Set 'local.maxPasswordLength', not 'hashing.maxPasswordLength'",
    ],
    [
      { hashing: { bcrypt: 'yes' } },
      "Password hashing option 'bcrypt' must be one of 'off', 'upgrade', 'keep'",
    ],
  ])('rejects %o at registration', async (settings, message) => {
    const error = await rejection(
      createTestApp({ usernameField: 'email', passwordField: 'password', ...settings }),
    );
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ message, reason: 'invalid-configuration' });
  });

  it("uses Feathers' hashSize as the bcrypt cost (10 by default)", async () => {
    const app = await createTestApp({ usernameField: 'email', passwordField: 'password', hashSize: 12 });
    expect(app.strategy.hasher.parameters.logN).toBe(10);
    expect(app.strategy.hasher.bcryptCost).toBe(12);
    expect((await createTestApp()).strategy.hasher.bcryptCost).toBe(10);
  });

  it('refuses a given hasher that accepts longer passwords than maxPasswordLength', async () => {
    const error = await rejection(
      createTestApp(
        { usernameField: 'email', passwordField: 'password', maxPasswordLength: 64 },
        new LocalStrategy({ hasher: new PasswordHasher({ logN: 10 }) }),
      ),
    );
    expect(error).toMatchObject({ reason: 'invalid-configuration' });
    expect(error.message).toContain("accepts passwords of 1024 characters but 'maxPasswordLength' is 64");
  });

  it('hashPassword with the strategy hasher refuses a password the login would refuse (no account that can never log in)', async () => {
    const app = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      maxPasswordLength: 64,
    });
    const error = await rejection(app.createUser({ email: 'long@example.com', password: 'x'.repeat(65) }));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      code: 400,
      reason: 'invalid-credentials-format',
      message: "'password' must be a string of at most 64 characters",
    });
    expect(app.users.rows.size).toBe(0);
    await app.createUser({ email: 'ok@example.com', password: 'x'.repeat(64) });
    await app.auth.create({ strategy: 'local', email: 'ok@example.com', password: 'x'.repeat(64) });
  });

  it('builds its hasher from `hashing`, or uses the one it is given', async () => {
    const app = await createTestApp();
    expect(app.strategy.hasher.parameters).toMatchObject({ logN: 10, blockSize: 8, parallelization: 1 });
    expect(await app.strategy.hashPassword('pw')).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
  });

  it('fails setup when its own entity service does not exist', async () => {
    const auth = new AuthenticationService(
      {
        secret: TEST_SECRET,
        service: 'users',
        authStrategies: ['local'],
        local: { usernameField: 'email', passwordField: 'password', service: 'people' },
      },
      { services: { users: new TestUsers() } },
    );
    auth.register('local', new LocalStrategy());
    const error = await rejection(auth.setup());
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.message).toBe("The 'local' strategy's entity service 'people' does not exist");
  });

  it('uses errorMessage for every failure', async () => {
    const app = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      errorMessage: 'Wrong credentials',
    });
    await app.createUser({ email, password });
    for (const body of [{ email, password: 'wrong' }, { email: 'nobody', password }, { email }]) {
      expectInvalidLogin(
        await rejection(app.auth.create({ strategy: 'local', ...body })),
        'Wrong credentials',
      );
    }
  });

  it('works with dot paths on the request and on the entity', async () => {
    const app = await createTestApp({
      usernameField: 'auth.email',
      passwordField: 'auth.password',
      entityUsernameField: 'login.email',
      entityPasswordField: 'login.hash',
    });
    const user = await app.createUser({ name: 'Ada', login: { email, hash: password } });
    expect(user.login.hash).toMatch(/^\$scrypt\$/);

    const result = await app.auth.create(
      { strategy: 'local', auth: { email, password } },
      { provider: 'rest' },
    );
    expect(result.user).toEqual({ id: user.id, name: 'Ada', login: { email }, fromGet: true });
    expectInvalidLogin(
      await rejection(app.auth.create({ strategy: 'local', auth: { email, password: 'wrong' } })),
    );
    expectInvalidLogin(await rejection(app.auth.create({ strategy: 'local', email, password })));
  });

  it('lets a subclass add conditions with getEntityQuery', async () => {
    class ActiveOnly extends LocalStrategy {
      override async getEntityQuery(query: Record<string, unknown>, params: Record<string, unknown>) {
        return { ...(await super.getEntityQuery(query, params)), active: true };
      }
    }
    const app = await createTestApp(undefined, new ActiveOnly());
    await app.createUser({ email, password, active: false });
    const error = await rejection(app.auth.create({ strategy: 'local', email, password }));
    expectInvalidLogin(error);
    expect(app.users.calls.at(-1)).toEqual({ method: 'find', query: { $limit: 1, email, active: true } });
  });
});
