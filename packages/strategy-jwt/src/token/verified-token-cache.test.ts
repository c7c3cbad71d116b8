import { createSecretKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BadRequest, NotAuthenticated } from '@org/core';
import { createDenylist } from '../revocation/denylist.ts';
import { parseCompact } from './compact-parse.ts';
import { NOW, NOW_MS, SECRET, claims, forge } from './test-keys.ts';
import { TokenService, type TokenServiceOptions } from './token-service.ts';
import { VerifiedTokenCache, tokenDigest } from './verified-token-cache.ts';

function movableClock(start = NOW_MS) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms) };
}

function cached(options: Partial<TokenServiceOptions> = {}, clock = movableClock()) {
  return new TokenService({ secret: SECRET, clock: clock.now, verifiedTokenCache: true, ...options });
}

const HS256_KEY = createSecretKey(Buffer.from(SECRET));
/** Distinct valid HS256 tokens, signed directly (faster than the service) for the bound tests. */
const nthToken = (n: number) =>
  forge('HS256', HS256_KEY, '{"alg":"HS256","typ":"access"}', JSON.stringify(claims({ jti: `t${n}` })));

const size = (service: TokenService) => service.verifiedTokenCacheStats!.size;

async function refusal(promise: Promise<unknown>): Promise<NotAuthenticated> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotAuthenticated);
  return error as NotAuthenticated;
}

describe('verified-token cache: hits', () => {
  test('off unless configured; a hit returns the same claims as the first verification', async () => {
    expect(new TokenService({ secret: SECRET }).verifiedTokenCacheStats).toBeUndefined();
    const service = cached();
    const token = await service.createAccessToken({ role: 'admin' }, { subject: '42' });
    const first = await service.verifyAccessToken(token);
    expect(size(service)).toBe(1);
    const second = await service.verifyAccessToken(token);
    expect(second).toEqual(first);
    expect(second).toMatchObject({ sub: '42', role: 'admin', iat: NOW, exp: NOW + 86_400 });
    expect(size(service)).toBe(1);
  });

  test("a caller's change to the returned claims never reaches later callers", async () => {
    const service = cached();
    const token = await service.createAccessToken(
      { scopes: ['read'], profile: { name: 'a' } },
      { subject: '1' },
    );
    const miss = await service.verifyAccessToken(token);
    miss.sub = 'attacker';
    (miss.scopes as string[]).push('admin');
    const hit = await service.verifyAccessToken(token);
    expect(hit).toMatchObject({ sub: '1', scopes: ['read'], profile: { name: 'a' } });
    (hit.profile as Record<string, unknown>).name = 'changed';
    delete (hit as Record<string, unknown>).exp;
    expect(Object.isFrozen(hit)).toBe(false);
    expect(await service.verifyAccessToken(token)).toMatchObject({
      exp: NOW + 86_400,
      profile: { name: 'a' },
    });
  });
});

describe('verified-token cache: time is checked on every hit', () => {
  test('never returns a token at or past exp, with the configured clockTolerance', async () => {
    const clock = movableClock();
    const service = cached({ verifyOptions: { clockTolerance: 60 } }, clock);
    const token = await service.createAccessToken({}, { expiresIn: 3600 });
    await service.verifyAccessToken(token);
    clock.set(NOW_MS + (3600 + 59) * 1000);
    await expect(service.verifyAccessToken(token)).resolves.toMatchObject({ exp: NOW + 3600 });
    clock.set(NOW_MS + (3600 + 60) * 1000);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-expired' });
    expect(size(service)).toBe(0);
  });

  test('never returns a token before nbf, nor one issued in the future, when the clock goes back', async () => {
    const clock = movableClock(NOW_MS + 100_000);
    const service = cached({}, clock);
    const token = forge(
      'HS256',
      createSecretKey(Buffer.from(SECRET)),
      '{"alg":"HS256","typ":"access"}',
      JSON.stringify(claims({ nbf: NOW + 50, iat: NOW + 50 })),
    );
    await service.verifyAccessToken(token);
    expect(size(service)).toBe(1);
    clock.set(NOW_MS);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-not-yet-valid' });
  });

  test('at the edges of the span kept with an entry, the full claim checks decide (fractional exp)', async () => {
    const clock = movableClock();
    const service = cached({}, clock);
    const token = forge(
      'HS256',
      createSecretKey(Buffer.from(SECRET)),
      '{"alg":"HS256","typ":"access"}',
      JSON.stringify(claims({ exp: NOW + 10.5 })),
    );
    await service.verifyAccessToken(token);
    for (const second of [0, 9, 10]) {
      clock.set(NOW_MS + second * 1000);
      expect(service.verifyFromCache(token), `at +${second}s`).toMatchObject({ exp: NOW + 10.5 });
      await expect(service.verifyAccessToken(token)).resolves.toMatchObject({ exp: NOW + 10.5 });
    }
    clock.set(NOW_MS + 11_000);
    expect(service.verifyFromCache(token)).toBeUndefined();
    expect(size(service)).toBe(0);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-expired' });
  });

  test('maxTokenAge is counted from iat at each hit', async () => {
    const clock = movableClock();
    const service = cached({ verifyOptions: { maxTokenAge: '10m' } }, clock);
    const token = await service.createAccessToken({});
    await service.verifyAccessToken(token);
    clock.set(NOW_MS + 11 * 60_000);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-too-old' });
  });
});

describe('verified-token cache: what is never skipped', () => {
  test('revocation runs on a hit: a token revoked after it was cached is refused', async () => {
    const clock = movableClock();
    const revocation = createDenylist({ clock: clock.now });
    const service = cached({ revocation }, clock);
    const token = await service.createAccessToken({}, { subject: '7' });
    const payload = await service.verifyAccessToken(token);
    await service.verifyAccessToken(token);
    await service.revokeAccessToken(token, payload);
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-revoked' });
  });

  test('a tampered token never hits: changed signature, changed claims, non-canonical or padded encoding', async () => {
    const service = cached();
    const token = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(token);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(await refusal(service.verifyAccessToken(`${h}.${p}.${flipped}`))).toMatchObject({
      reason: 'invalid-signature',
    });
    const otherClaims = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: '2' }),
    ).toString('base64url');
    expect(await refusal(service.verifyAccessToken(`${h}.${otherClaims}.${s}`))).toMatchObject({
      reason: 'invalid-signature',
    });
    // 32 signature bytes: 43 characters whose last one carries 2 unused bits; setting one decodes to the
    // same bytes, but the strict pre-parser runs before the lookup.
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) | 1]!;
    expect(sibling).not.toBe(last);
    expect(await refusal(service.verifyAccessToken(`${h}.${p}.${s.slice(0, -1)}${sibling}`))).toMatchObject({
      reason: 'token-malformed',
    });
    for (const variant of [`${token}=`, ` ${token}`, `${token}\n`]) {
      expect(await refusal(service.verifyAccessToken(variant))).toMatchObject({ reason: 'token-malformed' });
    }
    expect(size(service)).toBe(1);
  });

  test('per-call options and key overrides bypass the cache in both directions', async () => {
    const service = cached();
    const token = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(token, { audience: 'https://yourdomain.com' });
    await service.verifyAccessToken(token, undefined, SECRET);
    expect(size(service)).toBe(0);
    await service.verifyAccessToken(token);
    expect(size(service)).toBe(1);
    expect(
      await refusal(service.verifyAccessToken(token, { audience: 'https://other.example' })),
    ).toMatchObject({
      reason: 'claim-invalid',
    });
    const otherSecret = 'another-secret-that-is-long-enough-for-hs256!!';
    expect(await refusal(service.verifyAccessToken(token, undefined, otherSecret))).toMatchObject({
      reason: 'invalid-signature',
    });
  });
});

describe('verified-token cache: bounds', () => {
  test('holds at most max entries after 50,000 distinct tokens; the most recent stays', async () => {
    const service = cached({ verifiedTokenCache: { max: 1000 } });
    let last = '';
    for (let i = 0; i < 50_000; i++) {
      last = nthToken(i);
      await service.verifyAccessToken(last);
    }
    const stats = service.verifiedTokenCacheStats!;
    expect(stats.size).toBe(1000);
    expect(stats.bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    await service.verifyAccessToken(last);
    expect(size(service)).toBe(1000);
  }, 60_000);

  test('holds at most maxBytes (estimated) after 50,000 distinct tokens', async () => {
    const service = cached({ verifiedTokenCache: { max: 1_000_000, maxBytes: 200_000 } });
    for (let i = 0; i < 50_000; i++) {
      await service.verifyAccessToken(nthToken(i));
    }
    const { size: count, bytes } = service.verifiedTokenCacheStats!;
    expect(bytes).toBeLessThanOrEqual(200_000);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(50_000);
  }, 60_000);

  test('least recently used goes first; a hit refreshes; a token larger than maxBytes is not kept', async () => {
    const cache = new VerifiedTokenCache({ max: 2, maxBytes: 1_000_000 });
    const service = new TokenService({ secret: SECRET, clock: () => NOW_MS });
    const tokens = await Promise.all([1, 2, 3].map((n) => service.createAccessToken({ n })));
    const entry = async (token: string) => {
      const [h, p] = token.split('.') as [string, string];
      return {
        header: JSON.parse(Buffer.from(h, 'base64url').toString()),
        payload: await service.verifyAccessToken(token),
        alg: 'HS256' as const,
        key: createSecretKey(Buffer.from(SECRET)),
        p,
      };
    };
    const [a, b, c] = tokens.map((t) => tokenDigest(t));
    cache.set(a!, parseCompact(tokens[0]), await entry(tokens[0]!));
    cache.set(b!, parseCompact(tokens[1]), await entry(tokens[1]!));
    expect(cache.get(a!)).toBeDefined();
    cache.set(c!, parseCompact(tokens[2]), await entry(tokens[2]!));
    expect(cache.get(b!)).toBeUndefined();
    expect(cache.get(a!)).toBeDefined();
    expect(cache.get(c!)).toBeDefined();
    const tiny = new VerifiedTokenCache({ max: 10, maxBytes: 100 });
    tiny.set(a!, parseCompact(tokens[0]), await entry(tokens[0]!));
    expect(tiny.size).toBe(0);
    expect(tiny.bytes).toBe(0);
  });
});

describe('verified-token cache: configuration', () => {
  test.each([
    ['yes', "'authentication.verifiedTokenCache' must be true, false or { max?, maxBytes? }"],
    [{ max: 0 }, "'authentication.verifiedTokenCache.max' must be a positive integer"],
    [{ max: 1.5 }, "'authentication.verifiedTokenCache.max' must be a positive integer"],
    [{ maxBytes: -1 }, "'authentication.verifiedTokenCache.maxBytes' must be a positive integer"],
    [
      { maxByte: 1024 },
      "Unknown option 'authentication.verifiedTokenCache.maxByte'. Did you mean 'authentication.verifiedTokenCache.maxBytes'?",
    ],
  ])('refuses %j', (value, message) => {
    let error: unknown;
    try {
      new TokenService({ secret: SECRET, verifiedTokenCache: value as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-configuration', message });
  });

  test('read from the authentication configuration; false is off', () => {
    expect(
      TokenService.fromConfiguration({ secret: SECRET, verifiedTokenCache: true }).verifiedTokenCacheStats,
    ).toEqual({ size: 0, bytes: 0 });
    expect(
      TokenService.fromConfiguration({ secret: SECRET, verifiedTokenCache: false }).verifiedTokenCacheStats,
    ).toBeUndefined();
  });
});

describe('verifyFromCache (the request guards\u2019 synchronous answer)', () => {
  test('answers a cached token with a fresh copy of what verifyAccessToken answers', async () => {
    const service = cached();
    const token = await service.createAccessToken({}, { subject: '1' });
    expect(service.verifyFromCache(token)).toBeUndefined();
    const verified = await service.verifyAccessToken(token);
    const first = service.verifyFromCache(token)!;
    expect(first).toEqual(verified);
    first.sub = 'changed';
    expect(service.verifyFromCache(token)).toEqual(verified);
  });

  test('never throws, and answers undefined for what only verifyAccessToken may report', async () => {
    const clock = movableClock();
    const service = cached({}, clock);
    const token = await service.createAccessToken({}, { subject: '1' });
    await service.verifyAccessToken(token);
    for (const bad of [undefined, 42, '', 'a.b', `${token} `, `${token}=`, 'x'.repeat(9000)]) {
      expect(service.verifyFromCache(bad as string)).toBeUndefined();
    }
    clock.set(NOW_MS + 2 * 86_400 * 1000);
    expect(service.verifyFromCache(token)).toBeUndefined();
    expect(await refusal(service.verifyAccessToken(token))).toMatchObject({ reason: 'token-expired' });
    expect(new TokenService({ secret: SECRET }).verifyFromCache(token)).toBeUndefined();
  });

  test('asks an in-process revocation check, and declines with one that needs a round trip', async () => {
    const clock = movableClock();
    const denylist = createDenylist({ clock: clock.now });
    const service = cached({ revocation: denylist }, clock);
    const token = await service.createAccessToken({}, { subject: '1' });
    const payload = await service.verifyAccessToken(token);
    expect(service.verifyFromCache(token)).toEqual(payload);
    await service.revokeAccessToken(token, payload);
    expect(service.verifyFromCache(token)).toBeUndefined();

    const remote = cached(
      { revocation: { isRevoked: async () => false, revoke: async () => undefined } },
      clock,
    );
    const other = await remote.createAccessToken({}, { subject: '1' });
    await remote.verifyAccessToken(other);
    expect(remote.verifyFromCache(other)).toBeUndefined();
    const throwing = cached(
      {
        revocation: {
          isRevoked: async () => false,
          isRevokedNow: () => {
            throw new Error('broken');
          },
          revoke: async () => undefined,
        },
      },
      clock,
    );
    const third = await throwing.createAccessToken({}, { subject: '1' });
    await throwing.verifyAccessToken(third);
    expect(throwing.verifyFromCache(third)).toBeUndefined();
  });
});
