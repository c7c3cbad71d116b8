/**
 * RFC 7520 (JOSE cookbook) and RFC 7515 Appendix A examples through our verification path.
 *
 * Decisions:
 * - 4.5 (detached content, RFC 7515 Appendix F): not supported; the compact form with its empty payload
 *   fails as `invalid-signature`, and verifies once the content is put back.
 * - 4.6 and 4.8 carry part of the header unprotected (JSON serialization only); their protected parts
 *   form a compact JWS (`protected.payload.signature`) that must verify.
 * - 4.7 and 4.8's ES512 signature have no protected header at all: no compact form exists; the empty
 *   header segment is refused by the pre-parser.
 * - RFC 7797 (`b64: false`): refused (`Unsupported header "b64"` or malformed compact text). The
 *   4.2 file is internally inconsistent (its `protected_b64u` does not decode to its `protected`), which
 *   does not matter: both are refused.
 * - node-jose's embedded-`jwk` fixture: the embedded key is never used; with a different configured key
 *   the token fails as `invalid-signature`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { NotAuthenticated } from '@org/core';
import { verificationKeyFromJwk } from '../key-material/jwk-import.ts';
import { StaticKeySource } from '../key-material/key-source.ts';
import { resolveVerifyOptions } from './options.ts';
import { readVector } from './test-vectors.ts';
import { verifyJws } from './verify-jws.ts';
import { verifyToken } from './verify-token.ts';

function sourceFor(jwk: Record<string, any>, alg: string) {
  const entry = verificationKeyFromJwk({ ...jwk, alg } as never);
  return { source: new StaticKeySource([entry]), algorithms: new Set([entry.alg]) };
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(NotAuthenticated);
    return (error as NotAuthenticated).reason;
  }
}

describe('RFC 7520 section 4 cookbook', () => {
  test.each([
    'cookbook_jws_4_1.rsa_v15_signature.json',
    'cookbook_jws_4_2.rsa-pss_signature.json',
    'cookbook_jws_4_3.ecdsa_signature.json',
    'cookbook_jws_4_4.hmac-sha2_integrity_protection.json',
    'cookbook_curve25519_jws.json',
  ])('%s: the compact output verifies; a flipped signature does not', (file) => {
    const v = readVector(`jose-cookbook/${file}`);
    const { source, algorithms } = sourceFor(v.input.key, v.input.alg);
    const token: string = v.output.compact;
    const { header, parts } = verifyJws(token, source, algorithms);
    expect(header).toEqual(v.signing.protected);
    expect(Buffer.from(parts.payload, 'base64url').toString('utf8')).toBe(v.input.payload);
    const sig = Buffer.from(parts.signature, 'base64url');
    sig[0]! ^= 1;
    expect(
      reason(() => verifyJws(`${parts.signingInput}.${sig.toString('base64url')}`, source, algorithms)),
    ).toBe('invalid-signature');
  });

  test('4.5 detached content: unsupported (fails); with the content re-attached it verifies', () => {
    const v = readVector('jose-cookbook/cookbook_jws_4_5.signature_with_detached_content.json');
    const { source, algorithms } = sourceFor(v.input.key, v.input.alg);
    const token: string = v.output.compact;
    expect(reason(() => verifyJws(token, source, algorithms))).toBe('invalid-signature');
    const [h, , s] = token.split('.');
    const attached = `${h}.${Buffer.from(v.input.payload).toString('base64url')}.${s}`;
    expect(verifyJws(attached, source, algorithms).header).toEqual(v.signing.protected);
  });

  test('4.6 protected header fields: the protected parts verify as compact', () => {
    const v = readVector('jose-cookbook/cookbook_jws_4_6.protecting_specific_header_fields.json');
    const { source, algorithms } = sourceFor(v.input.key, v.input.alg);
    const flat = v.output.json_flat;
    expect(
      verifyJws(`${flat.protected}.${flat.payload}.${flat.signature}`, source, algorithms).header,
    ).toEqual({ alg: 'HS256' });
  });

  test('4.7 content only: no protected header, no compact form', () => {
    const v = readVector('jose-cookbook/cookbook_jws_4_7.protecting_content_only.json');
    const { source, algorithms } = sourceFor(v.input.key, v.input.alg);
    const flat = v.output.json_flat;
    expect(flat.protected).toBeUndefined();
    expect(reason(() => verifyJws(`.${flat.payload}.${flat.signature}`, source, algorithms))).toBe(
      'token-malformed',
    );
  });

  test('4.8 multiple signatures: each protected signature verifies on its own', () => {
    const v = readVector('jose-cookbook/cookbook_jws_4_8.multiple_signatures.json');
    const signatures = v.output.json.signatures as Array<{ protected?: string; signature: string }>;
    let verified = 0;
    signatures.forEach((s, i) => {
      const { source, algorithms } = sourceFor(v.input.key[i], v.input.alg[i]);
      if (s.protected === undefined) {
        expect(reason(() => verifyJws(`.${v.output.json.payload}.${s.signature}`, source, algorithms))).toBe(
          'token-malformed',
        );
        return;
      }
      verifyJws(`${s.protected}.${v.output.json.payload}.${s.signature}`, source, algorithms);
      verified++;
    });
    expect(verified).toBe(2);
  });

  test.each(['cookbook_rfc7797_4.2.hmac-sha2_b64_false.json', 'cookbook_rfc7797_hmac-sha2_b64_false.json'])(
    '%s: unencoded payloads are refused',
    (file) => {
      const v = readVector(`jose-cookbook/${file}`);
      const { source, algorithms } = sourceFor(v.input.key, v.input.alg);
      const flat = v.output.json_flat;
      const encodedPayload = Buffer.from(flat.payload).toString('base64url');
      expect(
        reason(() => verifyJws(`${flat.protected}.${encodedPayload}.${flat.signature}`, source, algorithms)),
      ).toBe('token-malformed');
      if (v.output.compact)
        expect(reason(() => verifyJws(v.output.compact, source, algorithms))).toBe('token-malformed');
    },
  );

  test('node-jose embedded jwk: the header key is ignored, the configured key decides', () => {
    const v = readVector('jose-cookbook/node-jose_test_fixtures_jws.embedded_jwk.json');
    const token: string = v.output.compact;
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toHaveProperty('jwk');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const source = new StaticKeySource([{ alg: 'PS256', key: publicKey }]);
    expect(reason(() => verifyJws(token, source, new Set(['PS256'])))).toBe('invalid-signature');
  });
});

describe('RFC 7515 Appendix A (JWTs, through the claims step)', () => {
  const examples = readVector<Array<Record<string, any>>>('jose-cookbook/rfc7515_appendix_A_derived.json');
  const beforeExp = Date.UTC(2011, 2, 22, 18, 42) / 1000;

  test.each(examples.map((e) => [e.title, e] as const))('%s', (_title, example) => {
    const { source, algorithms } = sourceFor(example.key, example.alg);
    const options = resolveVerifyOptions(
      { algorithms: [...algorithms], audience: null, issuer: 'joe', typ: false },
      { algorithms: [...algorithms], audience: 'unused', issuer: 'unused', typ: false },
    );
    const { payload } = verifyToken(example.compact, source, options, beforeExp);
    expect(payload).toEqual(JSON.parse(example.payload_utf8));
    expect(reason(() => verifyToken(example.compact, source, options, Math.floor(Date.now() / 1000)))).toBe(
      'token-expired',
    );
    // A.1 says typ "JWT": with the default required typ ('access') it is refused.
    const strictTyp = resolveVerifyOptions(
      { audience: null, issuer: 'joe' },
      { algorithms: [...algorithms], audience: 'x', issuer: 'x', typ: 'access' },
    );
    if (example.alg === 'HS256')
      expect(reason(() => verifyToken(example.compact, source, strictTyp, beforeExp))).toBe('claim-invalid');
  });
});
