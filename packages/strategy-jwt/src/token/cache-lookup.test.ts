import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { parseCompact } from './compact-parse.ts';
import { createMutator } from './test-fuzz.ts';
import { NOW_MS, SECRET, SECRET_KEY } from './test-keys.ts';
import { TokenService } from './token-service.ts';

// The guards' lookup (`verifyFromCache`) hashes the token before any scan: these tests hold it to
// answering only the exact text of a token that was verified (so strictly parsed) and stored.

async function cachedToken() {
  const service = new TokenService({ secret: SECRET, clock: () => NOW_MS, verifiedTokenCache: true });
  const token = await service.createAccessToken({}, { subject: '1' });
  await service.verifyAccessToken(token);
  expect(service.verifyFromCache(token)).toMatchObject({ sub: '1' });
  return { service, token };
}

function parses(token: unknown): boolean {
  try {
    parseCompact(token);
    return true;
  } catch (error) {
    expect(error).toMatchObject({ reason: 'token-malformed' });
    return false;
  }
}

describe('the cache lookup: only the stored text hits', () => {
  test('every malformed neighbour of a cached token misses, and the full path refuses it', async () => {
    const { service, token } = await cachedToken();
    const [h, p, s] = token.split('.') as [string, string, string];
    const shapes: unknown[] = [
      undefined,
      null,
      42,
      '',
      '.',
      '..',
      `.${p}.${s}`,
      `${h}.${p}.`,
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}.x.y`,
      `${h}.${p}.${s}=`,
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `${token},${token}`,
      `${h} .${p}.${s}`,
      `${h}.${p}+.${s}`,
      `${h}.${p}.${s}\u00e9`,
      `${h}.${p}.${s.slice(0, -1)}`,
      `${h}.${p}.${s}${'A'.repeat(8192)}`,
      'x'.repeat(8193),
    ];
    for (const shape of shapes) {
      expect(parses(shape), String(shape)).toBe(false);
      expect(service.verifyFromCache(shape as string), String(shape)).toBeUndefined();
      const refused = await service.verifyAccessToken(shape as string).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, String(shape)).toBeInstanceOf(NotAuthenticated);
      expect(refused).toMatchObject({ reason: 'token-malformed' });
    }
    expect(service.verifiedTokenCacheStats!.size).toBe(1);
  });

  test('well-formed neighbours miss too, and the pre-parser splits the token where it should', async () => {
    const { service, token } = await cachedToken();
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(parseCompact(token)).toEqual({ header: h, payload: p, signature: s, signingInput: `${h}.${p}` });
    // An empty payload is a well-formed JWS (never a claims set); a changed last header character may be.
    expect(parses(`${h}..${s}`)).toBe(true);
    for (const shape of [`${h}..${s}`, `${h.slice(0, -1)}B.${p}.${s}`, `${h}.${p}.${s.slice(0, -2)}AA`]) {
      expect(service.verifyFromCache(shape), shape).toBeUndefined();
      const refused = await service.verifyAccessToken(shape).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, shape).toBeInstanceOf(NotAuthenticated);
    }
    expect(service.verifiedTokenCacheStats!.size).toBe(1);
  });

  test('20,000 mutations of a cached token: none hits but the token itself', async () => {
    const { service, token } = await cachedToken();
    const mutate = createMutator(0x5eed, SECRET_KEY);
    let malformed = 0;
    for (let i = 0; i < 20_000; i++) {
      const mutation = mutate(token);
      if (!parses(mutation)) malformed++;
      const answer = service.verifyFromCache(mutation);
      if (mutation === token) expect(answer).toMatchObject({ sub: '1' });
      else expect(answer, mutation).toBeUndefined();
    }
    // The mutator breaks the structure often enough for both kinds of miss to be exercised.
    expect(malformed).toBeGreaterThan(1_000);
    expect(malformed).toBeLessThan(20_000);
    expect(service.verifyFromCache(token)).toMatchObject({ sub: '1' });
  });
});
