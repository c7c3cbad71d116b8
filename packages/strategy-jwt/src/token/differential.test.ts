/**
 * Differential test: every vector (Wycheproof JWS and JWK files, RFC 7520 / RFC 7515 compact examples),
 * the attack catalogue for every algorithm family, and all 100,000 fuzz cases of fuzz.test.ts through our
 * strict path and through jose (the reference semantics), requiring identical accept/reject verdicts. Where they differ,
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
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { keySourceFromJwks, verificationKeyFromJwk } from '../key-material/jwk-import.ts';
import { StaticKeySource, type VerificationKeySource } from '../key-material/key-source.ts';
import { resolveVerifyOptions, type ResolvedVerifyOptions } from './options.ts';
import { joseReferenceVerify } from './test-jose-reference.ts';
import { fuzzCases, FUZZ_CASES } from './test-fuzz.ts';
import { b64, claims, forge, keysFor, NOW, NOW_MS, SECRET_KEY } from './test-keys.ts';
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
  // Member names only: array indices are not names (counting them hid duplicates next to an array).
  const countKeys = (value: unknown): number =>
    value === null || typeof value !== 'object'
      ? 0
      : (Array.isArray(value) ? 0 : Object.keys(value).length) +
        Object.values(value).reduce((n: number, v) => n + countKeys(v), 0);
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

async function compare(
  tokens: Iterable<string>,
  source: VerificationKeySource = hsSource,
  options = hsOptions,
) {
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

/** Our JWS-layer verdict and jose's `compactVerify` verdict on one token, with one key. */
async function jwsVerdicts(
  token: string,
  source: VerificationKeySource,
  key: KeyObject,
  alg: JwsAlgorithm,
): Promise<{ ours: boolean; jose: boolean }> {
  let ours = true;
  try {
    verifyJws(token, source, new Set<JwsAlgorithm>([alg]));
  } catch {
    ours = false;
  }
  let jose = true;
  try {
    await compactVerify(token, key, { algorithms: [alg] });
  } catch {
    jose = false;
  }
  return { ours, jose };
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
        const { ours: mine, jose: reference } = await jwsVerdicts(t.jws, source, entry.key, entry.alg);
        if (mine !== reference)
          mismatches.push({ tcId: t.tcId, ours: mine, jose: reference, leniency: leniencyOf(t.jws, NOW) });
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect(mismatches.filter((m: any) => m.ours || m.leniency === undefined)).toEqual([]);
  });

  test('Wycheproof JWK sets: identical verdicts with every key of the set', async () => {
    const data = readVector<WycheproofFile>('wycheproof/json_web_key_test.json');
    const mismatches: unknown[] = [];
    let compared = 0;
    for (const group of data.testGroups) {
      let source;
      try {
        source = keySourceFromJwks(group.private, { weakSecrets: false });
      } catch {
        continue; // refused at import (short secret, ROCA key): no key to compare with
      }
      for (const t of group.tests) {
        for (const entry of source.entries) {
          compared++;
          const one = new StaticKeySource([entry]);
          const { ours, jose } = await jwsVerdicts(t.jws, one, entry.key, entry.alg);
          if (ours !== jose) mismatches.push({ tcId: t.tcId, ours, jose, leniency: leniencyOf(t.jws, NOW) });
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
    expect(mismatches.filter((m: any) => m.ours || m.leniency === undefined)).toEqual([]);
  });

  test('RFC 7520 section 4 and RFC 7515 Appendix A compact examples: identical verdicts', async () => {
    const examples: Array<{ token: string; jwk: Record<string, unknown>; alg: string }> = [];
    for (const file of [
      'cookbook_jws_4_1.rsa_v15_signature.json',
      'cookbook_jws_4_2.rsa-pss_signature.json',
      'cookbook_jws_4_3.ecdsa_signature.json',
      'cookbook_jws_4_4.hmac-sha2_integrity_protection.json',
      'cookbook_jws_4_5.signature_with_detached_content.json',
      'cookbook_curve25519_jws.json',
    ]) {
      const v = readVector(`jose-cookbook/${file}`);
      examples.push({ token: v.output.compact, jwk: v.input.key, alg: v.input.alg });
    }
    for (const e of readVector<Array<Record<string, any>>>('jose-cookbook/rfc7515_appendix_A_derived.json'))
      examples.push({ token: e.compact, jwk: e.key, alg: e.alg });
    let accepted = 0;
    for (const { token, jwk, alg } of examples) {
      const entry = verificationKeyFromJwk({ ...jwk, alg } as never, { weakSecrets: false });
      const source = new StaticKeySource([entry]);
      const [h, p, sig] = token.split('.') as [string, string, string];
      const flipped = Buffer.from(sig, 'base64url');
      flipped[0]! ^= 1;
      for (const variant of [token, `${h}.${p}.${flipped.toString('base64url')}`]) {
        const { ours, jose } = await jwsVerdicts(variant, source, entry.key, entry.alg);
        expect({ alg, ours }).toEqual({ alg, ours: jose });
        if (ours) accepted++;
      }
    }
    // Every original verifies except 4.5, whose compact form has its content detached.
    expect(accepted).toBe(examples.length - 1);
  });

  test.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
    '%s attack catalogue: identical verdicts except documented leniencies',
    async (alg) => {
      const { privateKey, publicKey } = keysFor(alg);
      const attacker =
        alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : ALGORITHMS[alg].family === 'ES'
            ? generateKeyPairSync('ec', { namedCurve: (ALGORITHMS[alg] as { crv: string }).crv })
            : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const source = new StaticKeySource([{ alg, key: publicKey, kid: 'real' }]);
      const options = resolveVerifyOptions(
        {},
        { algorithms: [alg], audience: 'https://yourdomain.com', issuer: 'feathers', typ: 'access' },
      );
      const header = (extra: object = {}) => JSON.stringify({ alg, typ: 'access', kid: 'real', ...extra });
      const body = JSON.stringify(claims());
      const input = `${b64(header())}.${b64(body)}`;
      const spec = ALGORITHMS[alg];
      const hmacWith = (secret: Uint8Array | string, name = 'HS256') => {
        const signingInput = `${b64(JSON.stringify({ alg: name, typ: 'access', kid: 'real' }))}.${b64(body)}`;
        return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
      };
      const tokens = [
        forge(alg, privateKey, header(), body),
        forge(alg, attacker.privateKey, header(), body),
        forge(alg, attacker.privateKey, header({ jwk: attacker.publicKey.export({ format: 'jwk' }) }), body),
        forge(alg, privateKey, header({ kid: '../../etc/passwd' }), body),
        forge(alg, privateKey, header({ alg: alg === 'RS256' ? 'PS256' : 'RS256' }), body),
        hmacWith(publicKey.export({ format: 'pem', type: 'spki' }) as string),
        hmacWith(publicKey.export({ format: 'der', type: 'spki' })),
        hmacWith(JSON.stringify(publicKey.export({ format: 'jwk' }))),
        hmacWith(publicKey.export({ format: 'pem', type: 'spki' }) as string, 'hs256'),
        `${b64(JSON.stringify({ alg: 'none', typ: 'access' }))}.${b64(body)}.`,
        `${b64(JSON.stringify({ alg: 'None', typ: 'access' }))}.${b64(body)}.${b64('x')}`,
      ];
      if ('sigLength' in spec) tokens.push(`${input}.${Buffer.alloc(spec.sigLength).toString('base64url')}`);
      if (spec.family === 'ES') {
        const der = sign(spec.hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'der' });
        tokens.push(`${input}.${der.toString('base64url')}`);
      }
      const mismatches = await compare(tokens, source, options);
      expectOnlyDocumentedLeniencies(mismatches);
      // Only the genuine token verifies, on both paths.
      expect(mismatches).toEqual([]);
      expect(tokens.map((t) => ours(t, source, options))).toEqual(tokens.map((_, i) => i === 0));
    },
  );

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

  test('all 100,000 fuzz cases: identical verdicts except documented leniencies', async () => {
    expect(FUZZ_CASES).toBe(100_000);
    const mismatches = await compare(fuzzCases());
    const counts = expectOnlyDocumentedLeniencies(mismatches);
    expect(counts.get('non-canonical-base64') ?? 0).toBeGreaterThan(0);
    // Most verdicts agree; the leniencies are the exception.
    expect(mismatches.length).toBeLessThan(FUZZ_CASES / 4);
  }, 180_000);
});
