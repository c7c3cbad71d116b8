/**
 * A seeded, bounded fuzz test in the normal run: 100,000 mutated tokens through parse + verify. Every one
 * either verifies or raises NotAuthenticated (401) with a known reason; nothing else ever escapes.
 * HS256 with one pre-imported key keeps it to a few seconds.
 */
import { describe, expect, test } from 'vitest';
import { ERROR_REASONS, NotAuthenticated } from '@org/core';
import { StaticKeySource } from '../key-material/key-source.ts';
import { resolveVerifyOptions } from './options.ts';
import { FUZZ_CASES, fuzzCases } from './test-fuzz.ts';
import { NOW, SECRET_KEY } from './test-keys.ts';
import { verifyToken } from './verify-token.ts';

describe('fuzz', () => {
  test('100,000 mutated tokens raise only NotAuthenticated', { timeout: 60_000 }, () => {
    expect(FUZZ_CASES).toBe(100_000);
    const source = new StaticKeySource([{ alg: 'HS256', key: SECRET_KEY }]);
    const options = resolveVerifyOptions(
      {},
      { algorithms: ['HS256'], audience: 'https://yourdomain.com', issuer: 'feathers', typ: 'access' },
    );
    const reasons = new Map<string, number>();
    let accepted = 0;
    const escaped: unknown[] = [];
    for (const token of fuzzCases()) {
      try {
        verifyToken(token, source, options, NOW);
        accepted++;
      } catch (error) {
        if (error instanceof NotAuthenticated && error.code === 401 && error.reason in ERROR_REASONS) {
          reasons.set(error.reason, (reasons.get(error.reason) ?? 0) + 1);
        } else if (escaped.length < 5) {
          escaped.push({ token, error: String(error) });
        }
      }
    }
    expect(escaped).toEqual([]);
    // The mutations reach every stage, not just the pre-parser.
    for (const reason of ['token-malformed', 'algorithm-not-allowed', 'invalid-signature', 'claim-invalid']) {
      expect(reasons.get(reason) ?? 0).toBeGreaterThan(100);
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted + [...reasons.values()].reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});
