import { AuthenticationService, BadRequest, GeneralError, authenticate } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { ADAPTERS } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

// Attack catalogue, class "id precision": an id at or past 2^53 rounds onto another record's id once it
// passes through a JavaScript number or a JWT `sub`. Each variant: a client-chosen id (refused), ids outside
// the safe range (refused), and an internal id of 2^53 - 1 that used to make every later sign-up lossy.
const MAX = Number.MAX_SAFE_INTEGER;
const password = 'correct horse battery staple';

describe.each(ADAPTERS)('id precision on $name', (adapter) => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened.splice(0)) await close();
  });

  async function setup() {
    const { users, close } = await adapter.create({ uniqueFields: ['email'] });
    opened.push(close);
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
    const local = new LocalStrategy();
    auth.register('jwt', new JWTStrategy());
    auth.register('local', local);
    await auth.setup();
    const hash = hashPassword('password', { hasher: local.hasher });
    const signUp = async (
      email: string,
      extra: Record<string, unknown> = {},
      params = { provider: 'rest' },
    ) => users.create(await hash.data({ email, password, ...extra }), params);
    // Login, then a request with the token: the id survives the round trip through `sub`.
    const logIn = async (email: string) => {
      const { accessToken } = await auth.create({ strategy: 'local', email, password }, { provider: 'rest' });
      const request = new Request('http://localhost/me', {
        headers: { authorization: `Bearer ${accessToken as string}` },
      });
      return (await authenticate(auth, 'jwt')(request)).user as Record<string, unknown>;
    };
    return { users, signUp, logIn };
  }

  it.each([MAX, MAX + 1, 2 ** 63, '9007199254740993', 1])(
    'a sign-up body choosing the id %s is a 400',
    async (id) => {
      const { users, signUp } = await setup();
      const error = await signUp('eve@example.com', { id }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequest);
      expect(await users.find({})).toEqual([]);
    },
  );

  it('after an internal create with id 2^53 - 1, no sign-up overwrites or shadows a user, and every stored user logs in', async () => {
    const { users, signUp, logIn } = await setup();
    const ada = await signUp('ada@example.com');
    const top = await signUp('top@example.com', { id: MAX }, {} as { provider: string });
    expect(top.id).toBe(MAX);
    for (const email of ['bob@example.com', 'cyd@example.com']) {
      const error = await signUp(email).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GeneralError);
    }
    expect(((await users.find({})) as Array<Record<string, unknown>>).map((u) => u.email)).toEqual([
      'ada@example.com',
      'top@example.com',
    ]);
    expect(await logIn('ada@example.com')).toMatchObject({ id: ada.id, email: 'ada@example.com' });
    expect(await logIn('top@example.com')).toMatchObject({ id: MAX, email: 'top@example.com' });
  });
});
