import { BadRequest, NotAuthenticated } from '@org/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp } from './test-app.ts';

const password = 'localsecret';
const email = 'timing@example.com';

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ ok: value }),
    (error: unknown) =>
      error instanceof NotAuthenticated || error instanceof BadRequest ? error.toJSON() : error,
  );
}

// Equal time is asserted as equal work, not with a clock: each failure path runs the store lookup the
// same number of times and the KDF exactly once with the same cost parameters as a real check.
describe('LocalStrategy: every failure does the same work and looks the same', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;

  beforeEach(async () => {
    app = await createTestApp();
    await app.createUser({ email, password });
    await app.users.create({ email: 'nohash@example.com' });
    await app.users.create({ email: 'emptyhash@example.com', password: '' });
    await app.users.create({ email: 'garbage@example.com', password: 'not-a-hash' });
    app.users.calls.length = 0;
  });

  const failures: [string, Record<string, unknown>][] = [
    ['unknown user', { email: 'nobody@example.com', password }],
    ['wrong password', { email, password: 'wrong' }],
    ['missing password', { email }],
    ['entity without a hash', { email: 'nohash@example.com', password }],
    ['entity with an empty hash', { email: 'emptyhash@example.com', password }],
    ['entity with an unreadable hash', { email: 'garbage@example.com', password }],
  ];

  it.each(failures)(
    '%s: one lookup, one KDF run with the current parameters, the same 401',
    async (_, body) => {
      const derive = vi.spyOn(app.strategy.hasher, 'derive');
      const result = await outcome(app.auth.create({ strategy: 'local', ...body }));

      expect(result).toEqual({
        name: 'NotAuthenticated',
        message: 'Invalid login',
        code: 401,
        className: 'not-authenticated',
        data: { reason: 'invalid-credentials' },
      });
      expect(derive).toHaveBeenCalledTimes(1);
      expect(derive.mock.calls[0]![2]).toEqual({ logN: 10, blockSize: 8, parallelization: 1 });
      expect(derive.mock.calls[0]![3]).toBe(32);
      expect(app.users.calls.map((call) => call.method)).toEqual(['find']);
    },
  );

  it('a success does the same work before it issues a token', async () => {
    const derive = vi.spyOn(app.strategy.hasher, 'derive');
    await app.auth.create({ strategy: 'local', email, password });
    expect(derive).toHaveBeenCalledTimes(1);
    expect(app.users.calls.map((call) => call.method)).toEqual(['find']);
  });

  it('a missing username runs the KDF once too, without a lookup', async () => {
    const derive = vi.spyOn(app.strategy.hasher, 'derive');
    const result = await outcome(app.auth.create({ strategy: 'local', password }));
    expect(result).toMatchObject({ code: 401, data: { reason: 'invalid-credentials' } });
    expect(derive).toHaveBeenCalledTimes(1);
    expect(app.users.calls).toEqual([]);
  });
});

describe('LocalStrategy: credentials must be bounded strings', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;

  beforeEach(async () => {
    app = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      maxUsernameLength: 64,
      maxPasswordLength: 128,
    });
    await app.createUser({ email, password });
    app.users.calls.length = 0;
  });

  it.each([
    ['an operator object as username', { email: { $ne: null }, password }, "'email' must be a string"],
    ['an $in operator as username', { email: { $in: [email] }, password }, "'email' must be a string"],
    ['an array as username', { email: [email], password }, "'email' must be a string"],
    ['a number as username', { email: 1, password }, "'email' must be a string"],
    ['an object as password', { email, password: { $gt: '' } }, "'password' must be a string"],
    ['an array as password', { email, password: [password] }, "'password' must be a string"],
    [
      'a username over maxUsernameLength',
      { email: 'x'.repeat(65), password },
      "'email' must be at most 64 characters",
    ],
    [
      'a password over maxPasswordLength',
      { email, password: 'x'.repeat(129) },
      "'password' must be at most 128 characters",
    ],
  ])('%s is a 400 that never reaches the store or the KDF', async (_, body, message) => {
    const derive = vi.spyOn(app.strategy.hasher, 'derive');
    const result = await outcome(app.auth.create({ strategy: 'local', ...body }));
    expect(result).toEqual({
      name: 'BadRequest',
      message,
      code: 400,
      className: 'bad-request',
      data: { reason: 'invalid-credentials-format' },
    });
    expect(app.users.calls).toEqual([]);
    expect(derive).not.toHaveBeenCalled();
  });

  it('accepts a username and password exactly at the limits', async () => {
    const long = 'p'.repeat(128);
    const user = await app.createUser({ email: 'u'.repeat(64), password: long });
    const result = await app.auth.create({ strategy: 'local', email: 'u'.repeat(64), password: long });
    expect((result.user as { id: unknown }).id).toBe(user.id);
  });

  it('findEntity refuses a non-string username from a subclass or caller', async () => {
    const error = await app.strategy.findEntity({ $ne: null } as never, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-credentials-format' });
    expect(app.users.calls).toEqual([]);
  });
});
