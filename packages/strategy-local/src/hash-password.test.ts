import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { hashPassword, type HashPasswordContext } from './hash-password.ts';
import { PasswordHasher } from './password-hasher.ts';

const hasher = new PasswordHasher({ logN: 10 });

describe('hashPassword', () => {
  it('throws error when no field provided', () => {
    let error: unknown;
    try {
      hashPassword(undefined as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      message: 'The hashPassword hook requires a field name option',
      reason: 'invalid-configuration',
    });
  });

  it('hashes password on field', async () => {
    const data = { email: 'dave@hashpassword.com', password: 'supersecret' };
    const hashed = await hashPassword('password', { hasher }).data(data);
    expect(hashed.email).toBe(data.email);
    expect(hashed.password).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await hasher.verify('supersecret', hashed.password)).toBe(true);
    expect(data.password).toBe('supersecret');
  });

  it('hashes password on array data', async () => {
    const users = await hashPassword('password', { hasher }).data([
      { email: 'dave@hashpassword.com', password: 'supersecret' },
      { email: 'dave2@hashpassword.com', password: 'secret2' },
    ]);
    expect(await hasher.verify('supersecret', users[0]!.password)).toBe(true);
    expect(await hasher.verify('secret2', users[1]!.password)).toBe(true);
  });

  it('hashes a dot path field', async () => {
    const hashed = await hashPassword('auth.password', { hasher }).data({
      auth: { email: 'e', password: 'pw' },
    });
    expect(hashed.auth.email).toBe('e');
    expect(await hasher.verify('pw', hashed.auth.password)).toBe(true);
  });

  it('does nothing when field is not present', async () => {
    const data = { email: 'dave@hashpassword.com' };
    expect(await hashPassword('password', { hasher }).data(data)).toBe(data);
  });

  it('uses the default scrypt parameters without a hasher', async () => {
    const hashed = await hashPassword('password').data({ password: 'pw' });
    expect(hashed.password).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
  });

  it.each([
    ['an object', { $ne: null }],
    ['null', null],
    ['a number', 1234],
    ['a password over maxLength', 'x'.repeat(11)],
  ])('refuses %s with a 400', async (_, password) => {
    const error = await hashPassword('password', { hasher, maxLength: 10 })
      .data({ password })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      message: "'password' must be a string of at most 10 characters",
      reason: 'invalid-credentials-format',
    });
  });

  it('works as a Feathers before hook and as an around hook', async () => {
    const hook = hashPassword('password', { hasher });
    const before: HashPasswordContext = { data: { password: 'pw' }, method: 'create' };
    await hook(before);
    expect(await hasher.verify('pw', (before.data as { password: string }).password)).toBe(true);

    const around: HashPasswordContext = { data: { password: 'pw' } };
    let seen: unknown;
    await hook(around, async () => {
      seen = around.data;
    });
    expect((seen as { password: string }).password).toMatch(/^\$scrypt\$/);

    const remove: HashPasswordContext = { method: 'remove' };
    await hook(remove);
    expect(remove).toEqual({ method: 'remove' });
  });
});

describe('hashPassword(...).service()', () => {
  function recorder() {
    const calls: Array<{ method: string; args: unknown[] }> = [];
    const service = {
      id: 'id',
      get: async (...args: unknown[]) => (calls.push({ method: 'get', args }), {}),
      find: async (...args: unknown[]) => (calls.push({ method: 'find', args }), []),
      create: async (...args: unknown[]) => (calls.push({ method: 'create', args }), args[0] as any),
      update: async (...args: unknown[]) => (calls.push({ method: 'update', args }), args[1] as any),
      patch: async (...args: unknown[]) => (calls.push({ method: 'patch', args }), args[1] as any),
      remove: async (...args: unknown[]) => (calls.push({ method: 'remove', args }), {}),
    };
    return { calls, users: hashPassword('password', { hasher }).service(service) };
  }

  it('hashes the data of create (one or many), update and patch, and passes everything else through', async () => {
    const { calls, users } = recorder();
    await users.create({ password: 'pw' });
    await users.create([{ password: 'a' }, { name: 'no password' }] as any);
    await (users as any).update(1, { password: 'pw' }, { provider: 'rest' });
    await users.patch(1, { password: 'pw' });
    await users.get(1, { query: { password: 'pw' } });
    const data = calls
      .filter((c) => c.method !== 'get')
      .map((c) => (c.method === 'create' ? c.args[0] : c.args[1]));
    expect((data[0] as any).password).toMatch(/^\$scrypt\$/);
    expect((data[1] as any)[0].password).toMatch(/^\$scrypt\$/);
    expect((data[1] as any)[1]).toEqual({ name: 'no password' });
    expect((data[2] as any).password).toMatch(/^\$scrypt\$/);
    expect((data[3] as any).password).toMatch(/^\$scrypt\$/);
    expect(calls.find((c) => c.method === 'get')!.args).toEqual([1, { query: { password: 'pw' } }]);
  });

  it("stores the strategy's upgrade write as it is, but only when internal and already a hash", async () => {
    const { calls, users } = recorder();
    const hash = await hasher.hash('pw');
    await users.patch(1, { password: hash }, { passwordUpgrade: true });
    await users.patch(1, { password: 'plain' }, { passwordUpgrade: true });
    await users.patch(1, { password: hash }, { passwordUpgrade: true, provider: 'rest' });
    const stored = calls.map((c) => (c.args[1] as { password: string }).password);
    expect(stored[0]).toBe(hash);
    expect(stored[1]).toMatch(/^\$scrypt\$/);
    expect(stored[2]).not.toBe(hash);
  });

  it('reads the hasher from the strategy at call time (wrapped before the strategy is registered)', async () => {
    let current = new PasswordHasher({ logN: 10 });
    const strategy = {
      get hasher() {
        return current;
      },
    };
    const hash = hashPassword('password', { strategy });
    current = new PasswordHasher({ logN: 11, maxPasswordLength: 4 });
    expect((await hash.data({ password: 'pw' })).password).toMatch(/^\$scrypt\$ln=11,/);
    await expect(hash.data({ password: 'longer' })).rejects.toMatchObject({ code: 400 });
  });
});
