import { prototypeAttackBodies, prototypeFindings } from '@org/adapter-tests';
import { AuthenticationService, authenticate, type EntityService } from '@org/core';
import { JWTStrategy } from '@org/strategy-jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from './hash-password.ts';
import { LocalStrategy } from './local-strategy.ts';
import { protect, type ProtectContext } from './protect.ts';
import { ADAPTERS } from './test-adapters.ts';
import { FAST_HASHING, TEST_SECRET } from './test-app.ts';

// Attack catalogue, class "prototype pollution through stored records" (invariant 11): a sign-up or
// profile body carrying `__proto__`, `constructor` or `prototype` (top level, nested, in arrays, beside an
// `authentication` member that makes protect() treat the record as an authentication result) must never
// give a user, a result or Object.prototype an inherited `isAdmin`, on any adapter and any write or read path.
const password = 'correct horse battery staple';

function expectClean(value: unknown, where: string): void {
  expect(prototypeFindings(value), where).toEqual([]);
  expect((value as { isAdmin?: unknown } | undefined)?.isAdmin, where).toBeUndefined();
  expect(({} as { isAdmin?: unknown }).isAdmin, `Object.prototype after ${where}`).toBeUndefined();
}

describe.each(ADAPTERS)('prototype keys in account data on $name', (adapter) => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened.splice(0)) await close();
  });

  async function setup() {
    const { users, close } = await adapter.create({ uniqueFields: ['email'] });
    opened.push(close);
    const hidden = protect('password');
    const protectedUsers = hidden.service(users);
    const auth = new AuthenticationService(
      {
        secret: TEST_SECRET,
        entity: 'user',
        service: 'users',
        authStrategies: ['local', 'jwt'],
        local: { usernameField: 'email', passwordField: 'password', hashing: FAST_HASHING },
      },
      { services: { users: protectedUsers } },
    );
    const local = new LocalStrategy();
    auth.register('jwt', new JWTStrategy());
    auth.register('local', local);
    await auth.setup();
    return { auth, users, protectedUsers, hidden, hash: hashPassword('password', { hasher: local.hasher }) };
  }

  const bodies = prototypeAttackBodies();
  it.each(bodies.map(([label, body], i) => ({ label, body, email: `eve${i}@example.com` })))(
    '$label: sign-up, patch, hook, result(), login and the guard give no inherited field',
    async ({ body, email }) => {
      const { auth, users, protectedUsers, hidden, hash } = await setup();
      const rest = { provider: 'rest' };

      const created = await protectedUsers.create(await hash.data({ ...body, email, password }), rest);
      expectClean(created, 'create');
      const id = created.id as number;
      const { email: _email, password: _password, ...attack } = body;
      expectClean(await protectedUsers.patch(id, attack, rest), 'patch');

      const context: ProtectContext = { method: 'get', result: await users.get(id), params: rest };
      await hidden(context);
      expectClean(context.dispatch, 'the hook');
      expectClean(hidden.result(await users.get(id)), 'result()');
      expectClean(
        hidden.result({ accessToken: 'x', authentication: {}, user: await users.get(id) }),
        'result() of a login',
      );

      const login = await auth.create({ strategy: 'local', email, password }, rest);
      expectClean(login.user, 'the login result');
      const request = new Request('http://localhost/me', {
        headers: { authorization: `Bearer ${login.accessToken as string}` },
      });
      const { user } = await authenticate(auth, 'jwt')(request);
      expectClean(user, 'the guard result');
      expectClean((request as Request & { user?: unknown }).user, 'req.user');
    },
  );

  it('the body from the audit: {"authentication": {}, "__proto__": {"isAdmin": true}} signs up a plain user', async () => {
    const { auth, protectedUsers, hash } = await setup();
    const body = JSON.parse('{"authentication":{},"__proto__":{"isAdmin":true}}') as Record<string, unknown>;
    await protectedUsers.create(await hash.data({ ...body, email: 'mallory@example.com', password }), {
      provider: 'rest',
    });
    const login = await auth.create(
      { strategy: 'local', email: 'mallory@example.com', password },
      { provider: 'rest' },
    );
    const request = new Request('http://localhost/me', {
      headers: { authorization: `Bearer ${login.accessToken as string}` },
    });
    await authenticate(auth, 'jwt')(request);
    const user = (request as Request & { user?: Record<string, unknown> }).user!;
    expect(user.isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(user)).toBe(Object.prototype);
  });
});

describe('protect() on records from a store that keeps prototype keys (a Feathers service, a raw row)', () => {
  const hidden = protect('password');
  it.each(prototypeAttackBodies({ password: '$scrypt$...' }))('%s', async (_label, body) => {
    expectClean(hidden.result(body), 'result()');
    expectClean(hidden.result([body]), 'result() of an array');
    expectClean(hidden.result({ total: 1, limit: 10, skip: 0, data: [body] }), 'result() of a page');
    expectClean(hidden.result({ accessToken: 'x', authentication: {}, user: body }), 'result() of a login');
    const context: ProtectContext = { method: 'get', result: body, params: { provider: 'rest' } };
    await hidden(context);
    expectClean(context.dispatch, 'the hook');
    const store: EntityService = {
      id: 'id',
      get: async () => body,
      find: async () => [body],
      create: async () => body,
      patch: async () => body,
      remove: async () => body,
    };
    const users = hidden.service(store);
    for (const result of [
      await users.get(1, { provider: 'rest' }),
      await users.find({ provider: 'rest' }),
      await users.create({}, { provider: 'rest' }),
      await users.patch(1, {}, { provider: 'rest' }),
      await users.remove(1, { provider: 'rest' }),
    ]) {
      expectClean(result, 'service()');
    }
  });
});
