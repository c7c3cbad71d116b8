import { generateKeyPairSync } from 'node:crypto';
import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { CookieSealer } from './cookie-sealer.ts';

const SECRET = 'a-secret-of-forty-characters-for-testing';
const OLD = 'an-older-secret-still-opening-old-values!';
const NOW = Date.UTC(2026, 0, 1);

describe('CookieSealer', () => {
  it('round-trips a record until it expires', () => {
    const sealer = new CookieSealer(SECRET, 'oauth-state');
    const value = sealer.seal({ state: 's', nested: { a: [1] } }, 600, NOW);
    expect(value).toMatch(/^v1\.[\w-]{8}\.[\w-]{16}\.[\w-]+$/);
    expect(sealer.open(value, NOW + 599_000)).toEqual({ state: 's', nested: { a: [1] } });
    expect(sealer.open(value, NOW + 600_000)).toBeUndefined();
  });

  it('encrypts: the plain text is not in the value', () => {
    const value = new CookieSealer(SECRET, 'oauth-state').seal({ state: 'visible-marker' }, 60, NOW);
    expect(Buffer.from(value.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('visible');
  });

  it('uses a fresh IV each time', () => {
    const sealer = new CookieSealer(SECRET, 'p');
    expect(sealer.seal({ a: 1 }, 60, NOW)).not.toBe(sealer.seal({ a: 1 }, 60, NOW));
  });

  it('refuses every flipped bit (the GCM tag authenticates it)', () => {
    const sealer = new CookieSealer(SECRET, 'oauth-state');
    const value = sealer.seal({ state: 's' }, 600, NOW);
    const [v, kid, iv, sealed] = value.split('.') as [string, string, string, string];
    const bytes = Buffer.from(sealed, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 1;
      expect(sealer.open([v, kid, iv, copy.toString('base64url')].join('.'), NOW)).toBeUndefined();
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    ivBytes[0]! ^= 1;
    expect(sealer.open([v, kid, ivBytes.toString('base64url'), sealed].join('.'), NOW)).toBeUndefined();
  });

  it('rotates: the first secret seals, every listed one opens, a dropped one no longer does', () => {
    const old = new CookieSealer(OLD, 'oauth-state').seal({ n: 1 }, 600, NOW);
    const rotated = new CookieSealer([SECRET, OLD], 'oauth-state');
    expect(rotated.open(old, NOW)).toEqual({ n: 1 });
    const fresh = rotated.seal({ n: 2 }, 600, NOW);
    expect(new CookieSealer(SECRET, 'oauth-state').open(fresh, NOW)).toEqual({ n: 2 });
    expect(new CookieSealer(SECRET, 'oauth-state').open(old, NOW)).toBeUndefined();
  });

  it('binds the purpose: a value sealed for one cookie never opens as another', () => {
    const value = new CookieSealer(SECRET, 'oauth-state').seal({ a: 1 }, 600, NOW);
    expect(new CookieSealer(SECRET, 'oauth-code').open(value, NOW)).toBeUndefined();
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['another version', 'v2.a.b.c'],
    ['too few parts', 'v1.abc.def'],
    ['too many parts', 'v1.a.b.c.d'],
    ['not base64url', 'v1.abc+/.def.ghi'],
    ['too long', `v1.${'a'.repeat(5000)}.b.c`],
    ['unknown kid', 'v1.AAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('opens %s as undefined, never throwing', (_what, value) => {
    expect(new CookieSealer(SECRET, 'p').open(value, NOW)).toBeUndefined();
  });

  it('drops prototype keys from what it opens', () => {
    const sealer = new CookieSealer(SECRET, 'p');
    const value = sealer.seal(JSON.parse('{"a":1,"__proto__":{"admin":true}}'), 60, NOW);
    const opened = sealer.open(value, NOW)!;
    expect(opened).toEqual({ a: 1 });
    expect((opened as { admin?: boolean }).admin).toBeUndefined();
  });

  it.each([
    ['missing', undefined],
    ['short', 'short'],
    ['an empty list', []],
    ['a short one in the list', [SECRET, 'short']],
    [
      'a PEM public key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    ],
  ])('refuses a secret that is %s, without echoing it', (_what, secret) => {
    try {
      new CookieSealer(secret as string, 'p', 'authentication.oauth.secret');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequest);
      expect((error as BadRequest).reason).toBe('invalid-configuration');
      expect((error as Error).message).toContain('authentication.oauth.secret');
      if (typeof secret === 'string') expect((error as Error).message).not.toContain(secret);
    }
  });
});
