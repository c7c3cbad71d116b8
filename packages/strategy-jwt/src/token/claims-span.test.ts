import { describe, expect, test } from 'vitest';
import { certainlyValidSpan, validateClaims, type JwtPayload } from './claims.ts';
import type { ResolvedVerifyOptions } from './options.ts';
import { NOW } from './test-keys.ts';

function options(clockTolerance: number, maxTokenAge?: number): ResolvedVerifyOptions {
  return {
    algorithms: new Set(['HS256']),
    audience: undefined,
    issuer: undefined,
    clockTolerance,
    maxTokenAge,
    typ: undefined,
    requireTyp: false,
    offloadSignature: false,
  };
}

function passes(payload: JwtPayload, opts: ResolvedVerifyOptions, now: number): boolean {
  try {
    validateClaims(payload, {}, opts, now);
    return true;
  } catch {
    return false;
  }
}

describe('certainlyValidSpan', () => {
  test('every second inside the span passes validateClaims, and the span misses only edge seconds', () => {
    const payloads: JwtPayload[] = [
      { exp: NOW + 100 },
      { exp: NOW + 100, iat: NOW },
      { exp: NOW + 100, iat: NOW, nbf: NOW + 10 },
      { exp: NOW + 100.5, iat: NOW - 0.25, nbf: NOW + 9.75 },
      { exp: NOW + 3, iat: NOW + 2 },
      { exp: NOW + 1, nbf: NOW + 1 },
    ];
    let inside = 0;
    for (const payload of payloads) {
      for (const tolerance of [0, 0.5, 1, 30]) {
        for (const maxAge of [undefined, 0, 5, 50.5]) {
          const opts = options(tolerance, maxAge);
          const span = certainlyValidSpan(payload, opts);
          let valid = 0;
          let spanned = 0;
          for (let now = NOW - 200; now <= NOW + 300; now++) {
            const ok = passes(payload, opts, now);
            if (ok) valid++;
            if (now >= span.from && now <= span.until) {
              spanned++;
              expect(
                ok,
                `${JSON.stringify(payload)} tolerance ${tolerance} maxAge ${maxAge} at ${now - NOW}`,
              ).toBe(true);
            }
          }
          // One second narrower at each end, never more (a fractional edge rounds it to at most two).
          expect(valid - spanned).toBeLessThanOrEqual(valid === 0 ? 0 : 4);
          inside += spanned;
        }
      }
    }
    expect(inside).toBeGreaterThan(1_000);
  });
});

test('claims the checks refuse get an empty span', () => {
  for (const [payload, maxAge] of [
    [{ exp: NOW + 100 }, 60],
    [{ exp: 'soon' }, undefined],
    [{}, undefined],
  ] as const) {
    const span = certainlyValidSpan(payload as unknown as JwtPayload, options(0, maxAge));
    expect(span.from <= NOW && NOW <= span.until).toBe(false);
  }
});
