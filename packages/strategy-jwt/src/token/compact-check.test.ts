import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { isCompactToken, parseCompact } from './compact-parse.ts';
import { createMutator } from './test-fuzz.ts';
import { claims, forge, SECRET_KEY } from './test-keys.ts';

const TOKEN = forge('HS256', SECRET_KEY, '{"alg":"HS256","typ":"access"}', JSON.stringify(claims()));

function parses(token: unknown): boolean {
  try {
    parseCompact(token);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ reason: 'token-malformed' });
    return false;
  }
}

describe('isCompactToken: the pre-parser\u2019s answer without its segments', () => {
  test('agrees with parseCompact on every hand-picked shape', () => {
    const [h, p, s] = TOKEN.split('.') as [string, string, string];
    const cases: unknown[] = [
      TOKEN,
      `${h}..${s}`, // an empty payload is a well-formed JWS
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
      `${h}.${p}.${s}.x.y`, // five segments: a JWE
      `${h}.${p}.${s}=`,
      `${h} .${p}.${s}`,
      `${h}.${p}.${s}\n`,
      `${h}.${p}.${s.slice(0, -1)}`, // a length of 1 mod 4, or stray bits
      `${h.slice(0, -1)}B.${p}.${s}`,
      `${h}.${p}+.${s}`,
      `${h}.${p}.${s}\u00e9`,
      'x'.repeat(8193),
      `${h}.${p}.${'A'.repeat(8192)}`,
    ];
    for (const token of cases) expect(isCompactToken(token), String(token)).toBe(parses(token));
    expect(isCompactToken(TOKEN)).toBe(true);
    expect(parseCompact(TOKEN)).toEqual({
      header: h,
      payload: p,
      signature: s,
      signingInput: `${h}.${p}`,
    });
  });

  test('agrees with parseCompact on 20,000 mutations of a valid token', () => {
    const mutate = createMutator(0x5eed, SECRET_KEY);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const token = mutate(TOKEN);
      const answer = isCompactToken(token);
      expect(answer).toBe(parses(token));
      if (!answer) refused++;
    }
    // The mutator breaks the structure often enough for both answers to be exercised.
    expect(refused).toBeGreaterThan(1_000);
    expect(refused).toBeLessThan(20_000);
  });
});
