/**
 * The header cache of verifyJws: bounded, filled only with headers of tokens that verified, immutable for
 * callers, and never a way around the per-call allow-list.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import type { JwsAlgorithm } from '../key-material/algorithms.ts';
import { StaticKeySource } from '../key-material/key-source.ts';
import { HEADER_CACHE_ENTRIES, HeaderCache, headerCache, MAX_CACHED_HEADER_LENGTH } from './header-cache.ts';
import { claims, forge, keysFor, SECRET_KEY } from './test-keys.ts';
import { verifyJws } from './verify-jws.ts';

const BODY = JSON.stringify(claims());
const HS256 = new Set<JwsAlgorithm>(['HS256']);
const source = new StaticKeySource([
  { alg: 'HS256', key: SECRET_KEY, kid: 'k1' },
  { alg: 'HS512', key: keysFor('HS512').publicKey },
]);

function token(header: Record<string, unknown>, alg: JwsAlgorithm = 'HS256'): string {
  return forge(alg, alg === 'HS256' ? SECRET_KEY : keysFor(alg).privateKey, JSON.stringify(header), BODY);
}

function segment(t: string): string {
  return t.slice(0, t.indexOf('.'));
}

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(NotAuthenticated);
    return (error as NotAuthenticated).reason;
  }
}

afterEach(() => {
  headerCache.clear();
});

describe('HeaderCache', () => {
  test('keeps at most its capacity, the oldest entry leaving first', () => {
    const cache = new HeaderCache(4);
    for (let i = 0; i < 10; i++)
      cache.set(`h${i}`, { header: { alg: 'HS256', n: i }, alg: 'HS256', kid: undefined });
    expect(cache.size).toBe(4);
    expect(cache.get('h5')).toBeUndefined();
    expect(cache.get('h6')?.header).toEqual({ alg: 'HS256', n: 6 });
    expect(cache.get('h9')?.header).toEqual({ alg: 'HS256', n: 9 });
  });

  test('verifying many tokens with distinct headers never grows it past its bound', () => {
    const count = HEADER_CACHE_ENTRIES + 50;
    for (let i = 0; i < count; i++)
      verifyJws(token({ alg: 'HS256', typ: 'access', x5t: `t${i}` }), source, HS256);
    expect(headerCache.size).toBe(HEADER_CACHE_ENTRIES);
    // The newest are kept, the first ones were evicted.
    expect(
      headerCache.get(segment(token({ alg: 'HS256', typ: 'access', x5t: `t${count - 1}` }))),
    ).toBeDefined();
    expect(headerCache.get(segment(token({ alg: 'HS256', typ: 'access', x5t: 't0' })))).toBeUndefined();
  });

  test('a header with an object member, or a long one, is decoded every time and not kept', () => {
    const nested = token({ alg: 'HS256', typ: 'access', x5c: ['MIIB'] });
    const long = token({ alg: 'HS256', typ: 'access', x5t: 'x'.repeat(MAX_CACHED_HEADER_LENGTH) });
    for (const t of [nested, long]) {
      expect(verifyJws(t, source, HS256).alg).toBe('HS256');
      expect(headerCache.get(segment(t))).toBeUndefined();
    }
    expect(headerCache.size).toBe(0);
  });
});

describe('verifyJws with the header cache', () => {
  test('a header that fails a check, or whose token fails the signature, is never cached', () => {
    const cases: [string, string][] = [
      [token({ alg: 'HS256', crit: ['exp'] }), 'token-malformed'],
      [token({ alg: 'HS256', kid: 7 }), 'token-malformed'],
      [token({ alg: 'HS512' }, 'HS512'), 'algorithm-not-allowed'],
      [token({ alg: 'HS256', kid: 'unknown' }), 'key-not-found'],
      [`${token({ alg: 'HS256', typ: 'forged' }).slice(0, -4)}AAAA`, 'invalid-signature'],
    ];
    for (const [t, reason] of cases) {
      expect(reasonOf(() => verifyJws(t, source, HS256))).toBe(reason);
      expect(headerCache.get(segment(t))).toBeUndefined();
    }
    expect(headerCache.size).toBe(0);
  });

  test('a caller mutating a returned header does not change the next verification', () => {
    const t = token({ alg: 'HS256', typ: 'access' });
    const first = verifyJws(t, source, HS256).header;
    expect(headerCache.get(segment(t))).toBeDefined();
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as Record<string, unknown>).alg = 'none';
    }).toThrow(TypeError);
    expect(Reflect.deleteProperty(first, 'typ')).toBe(false);
    const second = verifyJws(t, source, HS256);
    expect(second.alg).toBe('HS256');
    expect(second.header).toEqual({ alg: 'HS256', typ: 'access' });
  });

  test('a cached header is refused when the allow-list of this call leaves its alg out', () => {
    const t = token({ alg: 'HS256', typ: 'access' });
    verifyJws(t, source, HS256);
    expect(headerCache.get(segment(t))).toBeDefined();
    expect(reasonOf(() => verifyJws(t, source, new Set<JwsAlgorithm>(['HS512'])))).toBe(
      'algorithm-not-allowed',
    );
    expect(reasonOf(() => verifyJws(t, source, new Set<JwsAlgorithm>()))).toBe('algorithm-not-allowed');
    expect(verifyJws(t, source, HS256).alg).toBe('HS256');
  });

  test('a cached header still needs its own valid signature and a key from this call', () => {
    const t = token({ alg: 'HS256', typ: 'access' });
    verifyJws(t, source, HS256);
    const forged = forge(
      'HS256',
      keysFor('HS512').privateKey,
      JSON.stringify({ alg: 'HS256', typ: 'access' }),
      BODY,
    );
    expect(segment(forged)).toBe(segment(t));
    expect(reasonOf(() => verifyJws(forged, source, HS256))).toBe('invalid-signature');
    expect(reasonOf(() => verifyJws(t, new StaticKeySource([]), HS256))).toBe('key-not-found');
  });
});
