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
