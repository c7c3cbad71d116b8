/**
 * Differential test: every vector, attack and a few thousand fuzz samples through our strict path and
 * through jose (the reference semantics), requiring identical accept/reject verdicts. Where they differ,
 * jose must be the one accepting and the token must show one of the documented leniencies below (also in
 * docs/jwt-verification.md); we never accept what jose refuses.
 *
 * Documented jose leniencies (jose accepts, we refuse):
 * - non-canonical-base64: unused trailing bits set, `=` padding or whitespace inside a segment.
 * - duplicate-member: a duplicate member name in the header or payload (JSON.parse keeps the last one).
 * - forbidden-member: `__proto__`, `constructor` or `prototype` as a member name.
 * - bom: a UTF-8 byte order mark before the header or payload JSON (TextDecoder drops it).
 * - refused-header: `cty`, `b64` (without `crit`), `enc` or `zip` in the header (jose ignores them).
 * - non-string-kid: a `kid` that is not a string (jose never looks at it with a static key).
 * - future-iat: `iat` in the future beyond the tolerance (jose only checks it with `maxTokenAge`).
 * - non-finite-date: `exp`, `nbf` or `iat` of `1e999` (Infinity), which `typeof 'number'` lets through.
 * - too-long: a token over 8 KiB.
 * Invalid UTF-8 in the header or payload is refused by both (jose decodes with a fatal decoder).
 */
import { compactVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import type { JwsAlgorithm } from './algorithms.ts';
import { verificationKeyFromJwk } from './jwk-import.ts';
import { StaticKeySource, type VerificationKeySource } from './key-source.ts';
import { resolveVerifyOptions, type ResolvedVerifyOptions } from './options.ts';
import { joseReferenceVerify } from './test-jose-reference.ts';
import { createMutator } from './test-fuzz.ts';
import { b64, claims, forge, NOW, NOW_MS, SECRET_KEY } from './test-keys.ts';
import { readVector, type WycheproofFile } from './test-vectors.ts';
import { verifyJws } from './verify-jws.ts';
import { verifyToken } from './verify-token.ts';

function decodeText(segment: string): Buffer {
  return Buffer.from(segment.replace(/[^A-Za-z0-9_-]/g, ''), 'base64url');
}

/** The documented leniency a token shows, if any (see the header comment). */
export function leniencyOf(token: string, now: number): string | undefined {
  if (token.length > 8192) return 'too-long';
  const parts = token.split('.');
  if (parts.some((p) => /[^A-Za-z0-9_-]/.test(p))) return 'non-canonical-base64';
  if (parts.some((p) => Buffer.from(p, 'base64url').toString('base64url') !== p))
    return 'non-canonical-base64';
  const [headerBytes, payloadBytes] = [decodeText(parts[0] ?? ''), decodeText(parts[1] ?? '')];
  if ([headerBytes, payloadBytes].some((b) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)) return 'bom';
  const texts = [
    headerBytes.toString('utf8').replace(/^\uFEFF/, ''),
    payloadBytes.toString('utf8').replace(/^\uFEFF/, ''),
  ];
  for (const text of texts) {
    const names = [...text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    if (names.some((n) => n === '__proto__' || n === 'constructor' || n === 'prototype'))
      return 'forbidden-member';
  }
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(texts[0]!);
    payload = JSON.parse(texts[1]!);
  } catch {
    return undefined;
  }
  const countKeys = (value: unknown): number =>
    value !== null && typeof value === 'object'
      ? Object.keys(value).length + Object.values(value).reduce((n: number, v) => n + countKeys(v), 0)
      : 0;
  const nameCount = (text: string) => [...text.matchAll(/"(?:[^"\\]|\\.)*"\s*:/g)].length;
  if (texts.some((t) => nameCount(t) > countKeys(JSON.parse(t)))) return 'duplicate-member';
  if (['cty', 'b64', 'enc', 'zip'].some((name) => Object.hasOwn(header, name))) return 'refused-header';
  if (header.kid !== undefined && typeof header.kid !== 'string') return 'non-string-kid';
  if (
    ['exp', 'nbf', 'iat'].some(
      (c) => typeof payload[c] === 'number' && !Number.isFinite(payload[c] as number),
    )
  )
    return 'non-finite-date';
  if (typeof payload.iat === 'number' && payload.iat > now) return 'future-iat';
  return undefined;
}

function ours(token: string, source: VerificationKeySource, options: ResolvedVerifyOptions): boolean {
  try {
    verifyToken(token, source, options, NOW);
    return true;
  } catch (error) {
    if (!(error instanceof NotAuthenticated)) throw error;
    return false;
  }
}

const hsSource = new StaticKeySource([{ alg: 'HS256', key: SECRET_KEY }]);
const hsOptions = resolveVerifyOptions(
  {},
  { algorithms: ['HS256'], audience: 'https://yourdomain.com', issuer: 'feathers', typ: 'access' },
);

async function compare(tokens: string[], source = hsSource, options = hsOptions) {
  const mismatches: Array<{ token: string; ours: boolean; jose: boolean; leniency?: string }> = [];
  for (const token of tokens) {
    const mine = ours(token, source, options);
    const reference = (await joseReferenceVerify(token, source, options, NOW_MS)).ok;
    if (mine !== reference)
      mismatches.push({
        token: token.slice(0, 80),
        ours: mine,
        jose: reference,
        leniency: leniencyOf(token, NOW),
      });
  }
  return mismatches;
}

function expectOnlyDocumentedLeniencies(
  mismatches: Awaited<ReturnType<typeof compare>>,
): Map<string, number> {
  const undocumented = mismatches.filter((m) => m.ours || m.leniency === undefined);
  expect(undocumented).toEqual([]);
  const counts = new Map<string, number>();
  for (const m of mismatches) counts.set(m.leniency!, (counts.get(m.leniency!) ?? 0) + 1);
  return counts;
}

describe('differential: ours vs jose', () => {
  test('Wycheproof JWS vectors: identical verdicts at the JWS layer', async () => {
    const data = readVector<WycheproofFile>('wycheproof/json_web_signature_test.json');
    const mismatches: unknown[] = [];
    let compared = 0;
    for (const group of data.testGroups) {
      let entry;
      try {
        entry = verificationKeyFromJwk(group.private, { weakSecrets: false });
      } catch {
        continue; // refused at import: jose never gets to see a key either
      }
      const source = new StaticKeySource([entry]);
      for (const t of group.tests) {
        if (typeof t.jws !== 'string') continue; // JSON serialization: no compact verdict to compare
        compared++;
        let mine = true;
        try {
          verifyJws(t.jws, source, new Set<JwsAlgorithm>([entry.alg]));
        } catch {
          mine = false;
        }
        let reference = true;
        try {
          await compactVerify(t.jws, entry.key, { algorithms: [entry.alg] });
        } catch {
          reference = false;
        }
        if (mine !== reference)
          mismatches.push({ tcId: t.tcId, ours: mine, jose: reference, leniency: leniencyOf(t.jws, NOW) });
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect(mismatches.filter((m: any) => m.ours || m.leniency === undefined)).toEqual([]);
  });

  test('attack tokens: identical verdicts except documented leniencies', async () => {
    const header = { alg: 'HS256', typ: 'access' };
    const variants: Array<[object | string, object | string]> = [
      [header, claims()],
      [{ ...header, cty: 'JWT' }, claims()],
      [{ ...header, b64: true }, claims()],
      [{ ...header, crit: ['exp'] }, claims()],
      [{ ...header, kid: 7 }, claims()],
      [{ ...header, jwk: { kty: 'oct', k: 'AA' } }, claims()],
      [{ ...header, alg: 'none' }, claims()],
      [{ ...header, alg: 'HS512' }, claims()],
      ['{"alg":"HS256","alg":"HS256","typ":"access"}', claims()],
      [header, `${JSON.stringify(claims()).slice(0, -1)},"exp":${NOW + 10}}`],
      [header, `{"__proto__":{"admin":true},${JSON.stringify(claims()).slice(1)}`],
      [`\uFEFF${JSON.stringify(header)}`, claims()],
      [header, `\uFEFF${JSON.stringify(claims())}`],
      [header, claims({ exp: undefined })],
      [header, claims({ exp: NOW - 1 })],
      [header, claims({ nbf: NOW + 10 })],
      [header, claims({ iat: NOW + 10 })],
      [header, JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e999')],
      [header, claims({ aud: 'other' })],
      [header, claims({ iss: 'other' })],
      [{ alg: 'HS256' }, claims()],
      [header, '[]'],
      [header, ''],
      [header, claims({ pad: 'x'.repeat(7000) })],
      [
        Buffer.concat([
          Buffer.from('{"alg":"HS256","typ":"access","x":"'),
          Buffer.from([0xff]),
          Buffer.from('"}'),
        ]).toString('latin1'),
        claims(),
      ],
    ];
    const text = (v: object | string) =>
      typeof v === 'string'
        ? Buffer.from(v, /[\u0080-\u00ff]/.test(v) && !v.startsWith('\uFEFF') ? 'latin1' : 'utf8')
        : JSON.stringify(v);
    const tokens = variants.map(([h, p]) => forge('HS256', SECRET_KEY, text(h), text(p)));
    const good = tokens[0]!;
    tokens.push(
      `${good}=`,
      `${good.slice(0, -1)}${good.at(-1) === 'A' ? 'B' : 'A'}`,
      good.replace('.', '. '),
      `${b64('{"alg":"none"}')}.${b64(JSON.stringify(claims()))}.`,
    );
    const counts = expectOnlyDocumentedLeniencies(await compare(tokens));
    // The leniencies this catalogue is built to show, each at least once.
    for (const name of [
      'non-canonical-base64',
      'duplicate-member',
      'forbidden-member',
      'bom',
      'refused-header',
      'non-string-kid',
      'future-iat',
      'non-finite-date',
      'too-long',
    ]) {
      expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
    }
  });

  test('4,000 fuzz samples: identical verdicts except documented leniencies', async () => {
    const seeds = [
      forge('HS256', SECRET_KEY, JSON.stringify({ alg: 'HS256', typ: 'access' }), JSON.stringify(claims())),
    ];
    const mutate = createMutator(0xd1ff, SECRET_KEY);
    const tokens = Array.from({ length: 4000 }, () => mutate(seeds[0]!));
    const mismatches = await compare(tokens);
    const counts = expectOnlyDocumentedLeniencies(mismatches);
    expect(counts.get('non-canonical-base64') ?? 0).toBeGreaterThan(0);
    // Most verdicts agree; the leniencies are the exception.
    expect(mismatches.length).toBeLessThan(tokens.length / 4);
  }, 60_000);
});
