import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from './cookies.ts';

describe('parseCookies', () => {
  it('reads name=value pairs, decodes, unquotes, keeps the first of a name', () => {
    expect(parseCookies('a=1; b=x%20y; c="quoted"; a=2; broken; =nameless; d=%E0%A4%A')).toEqual({
      a: '1',
      b: 'x y',
      c: 'quoted',
      d: '%E0%A4%A',
    });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('returns a null-prototype record: a cookie named __proto__ is just a cookie', () => {
    const cookies = parseCookies('__proto__=x; constructor=y');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(cookies.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('serializeCookie', () => {
  it('has safe defaults', () => {
    expect(serializeCookie('sid', 'a b;c')).toBe('sid=a%20b%3Bc; Path=/; Secure; HttpOnly; SameSite=Lax');
  });

  it('writes every attribute', () => {
    const expires = new Date(Date.UTC(2030, 0, 1));
    expect(
      serializeCookie('s', 'v', {
        maxAge: 0,
        expires,
        path: '/oauth',
        domain: 'example.com',
        secure: false,
        httpOnly: false,
        sameSite: 'Strict',
      }),
    ).toBe(
      's=v; Max-Age=0; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Path=/oauth; Domain=example.com; SameSite=Strict',
    );
  });

  const invalid: Array<[string, () => string, string]> = [
    ['a name that is not a token', () => serializeCookie('a b', 'v'), 'is not a token'],
    ['a path with ;', () => serializeCookie('a', 'v', { path: '/; Domain=evil' }), 'printable ASCII'],
    [
      'SameSite=None without secure',
      () => serializeCookie('a', 'v', { sameSite: 'None', secure: false }),
      'needs secure',
    ],
    [
      'a __Secure- cookie without secure',
      () => serializeCookie('__Secure-a', 'v', { secure: false }),
      'prefix needs secure',
    ],
    [
      'a __Host- cookie with a path',
      () => serializeCookie('__Host-a', 'v', { path: '/x' }),
      'needs path "/" and no domain',
    ],
    ['a fractional maxAge', () => serializeCookie('a', 'v', { maxAge: 1.5 }), 'whole seconds'],
  ];
  for (const [label, call, message] of invalid) {
    it(`refuses ${label}`, () => {
      expect(call).toThrow(BadRequest);
      expect(call).toThrow(message);
    });
  }
});
