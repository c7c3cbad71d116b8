import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { readCredential } from './credential.ts';

describe('readCredential', () => {
  it('returns a string, from a dot path too', () => {
    expect(readCredential({ email: 'a@b' }, 'email', 256)).toBe('a@b');
    expect(readCredential({ auth: { email: 'a@b' } }, 'auth.email', 256)).toBe('a@b');
    expect(readCredential({ email: 'x'.repeat(256) }, 'email', 256)).toHaveLength(256);
  });

  it.each([undefined, null, ''])('treats %o as not given', (value) => {
    expect(readCredential({ email: value }, 'email', 256)).toBeUndefined();
    expect(readCredential(undefined, 'email', 256)).toBeUndefined();
  });

  it.each([
    ['an operator object', { $ne: null }, "'email' must be a string"],
    ['an array', ['a', 'b'], "'email' must be a string"],
    ['a number', 42, "'email' must be a string"],
    ['a boolean', true, "'email' must be a string"],
    ['a string that is too long', 'x'.repeat(257), "'email' must be at most 256 characters"],
  ])('refuses %s with a 400', (_, value, message) => {
    let error: unknown;
    try {
      readCredential({ email: value }, 'email', 256);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ message, code: 400, reason: 'invalid-credentials-format' });
  });
});
