/**
 * Wycheproof raw signature vectors, each file mapped to its JWS algorithm and run through our signature
 * layer (verifySignature) with the JOSE encoding: IEEE P1363 `r || s` for ECDSA, MGF1 with the same hash
 * and a hash-length salt for RSA-PSS, full-length tags for HMAC.
 *
 * Decisions (Wycheproof "acceptable" and mapping rules):
 * - rsa_signature_* `MissingNull` (acceptable): a DigestInfo without the NULL parameter. We reject: JWS
 *   RS* (RFC 7518 section 3.3, RFC 8017 section 9.2 note 1) defines the encoding with NULL, and OpenSSL
 *   enforces the one encoding.
 * - hmac_* groups whose tag is shorter than the hash (truncated tags): invalid for JWS, which has no
 *   truncated HS* (RFC 7518 section 3.2); the file's "valid" is about truncated-MAC APIs.
 * - ecdsa_secp256r1_sha256_test.json holds DER signatures: every one must fail through a JWS verifier.
 * - rsa_pss_misc_test.json: only groups with (hash, MGF1 hash, salt) equal to PS256/384/512's parameters
 *   keep the file's verdict; every other group is verified with the PS algorithm of its hash (PS256 for
 *   SHA-1/224) and must fail, since a JWS verifier never accepts other parameters.
 * - RSA groups with e = 3: the signature layer verifies as the file says; the key policy (tested below)
 *   refuses such keys at configuration time anyway.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { assertKeyPolicy } from '../key-material/key-policy.ts';
import { readVector, type WycheproofFile, type WycheproofTest } from './test-vectors.ts';
import { verifySignature } from './verify-signature.ts';

const SHA_TO_BITS: Record<string, number> = { 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 };

function hex(value: string): Buffer {
  return Buffer.from(value, 'hex');
}

interface Outcome {
  file: string;
  tcId: number;
  expected: boolean;
  actual: boolean;
}

function run(
  file: string,
  pick: (group: WycheproofFile['testGroups'][number]) => {
    alg: JwsAlgorithm;
    expect: (t: WycheproofTest) => boolean;
  },
  keyOf: (group: WycheproofFile['testGroups'][number], t: WycheproofTest) => KeyObject,
): Outcome[] {
  const data = readVector<WycheproofFile>(`wycheproof/${file}`);
  const outcomes: Outcome[] = [];
  let count = 0;
  for (const group of data.testGroups) {
    const { alg, expect: expected } = pick(group);
    for (const t of group.tests) {
      count++;
      const actual = verifySignature(alg, keyOf(group, t), hex(t.msg), hex(t.sig ?? t.tag));
      outcomes.push({ file, tcId: t.tcId, expected: expected(t), actual });
    }
  }
  expect(count).toBe(data.numberOfTests);
  return outcomes;
}

function unexpected(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((o) => o.expected !== o.actual);
}

const fileResult = (t: WycheproofTest): boolean => t.result === 'valid';
const publicKeyOf = (group: Record<string, any>) => createPublicKey(group.publicKeyPem as string);

describe('Wycheproof ECDSA (P1363) -> ES256/384/512', () => {
  test.each([
    ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
    ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384'],
    ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512'],
  ] as const)('%s as %s', (file, alg) => {
    const outcomes = run(file, () => ({ alg, expect: fileResult }), publicKeyOf);
    expect(unexpected(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.actual)).toBe(true);
  });

  test('every DER-form signature fails (ecdsa_secp256r1_sha256_test.json as ES256)', () => {
    const outcomes = run(
      'ecdsa_secp256r1_sha256_test.json',
      () => ({ alg: 'ES256', expect: () => false }),
      publicKeyOf,
    );
    expect(unexpected(outcomes)).toEqual([]);
  });
});

describe('Wycheproof Ed25519 -> EdDSA', () => {
  test('ed25519_test.json', () => {
    const outcomes = run('ed25519_test.json', () => ({ alg: 'EdDSA', expect: fileResult }), publicKeyOf);
    expect(unexpected(outcomes)).toEqual([]);
  });
});

describe('Wycheproof HMAC -> HS256/384/512', () => {
  test.each([
    ['hmac_sha256_test.json', 'HS256'],
    ['hmac_sha384_test.json', 'HS384'],
    ['hmac_sha512_test.json', 'HS512'],
  ] as const)('%s as %s (truncated tags invalid)', (file, alg) => {
    const fullTag = ALGORITHMS[alg].sigLength * 8;
    const outcomes = run(
      file,
      (group) => ({ alg, expect: (t) => group.tagSize === fullTag && fileResult(t) }),
      (_group, t) => createSecretKey(hex(t.key)),
    );
    expect(unexpected(outcomes)).toEqual([]);
    expect(outcomes.filter((o) => o.actual).length).toBeGreaterThan(0);
  });
});

describe('Wycheproof RSASSA-PKCS1-v1_5 -> RS256/384/512', () => {
  test.each([
    ['rsa_signature_2048_sha256_test.json', 'RS256'],
    ['rsa_signature_2048_sha384_test.json', 'RS384'],
    ['rsa_signature_2048_sha512_test.json', 'RS512'],
    ['rsa_signature_3072_sha384_test.json', 'RS384'],
    ['rsa_signature_4096_sha512_test.json', 'RS512'],
  ] as const)('%s as %s', (file, alg) => {
    const outcomes = run(
      file,
      (group) => {
        expect(`RS${SHA_TO_BITS[group.sha]}`).toBe(alg);
        // MissingNull (acceptable): rejected, see the header comment.
        return { alg, expect: fileResult };
      },
      publicKeyOf,
    );
    expect(unexpected(outcomes)).toEqual([]);
  });

  test('the key policy refuses the e = 3 keys of these files', () => {
    const data = readVector<WycheproofFile>('wycheproof/rsa_signature_2048_sha256_test.json');
    const small = data.testGroups.filter((g) => (g.keyJwk?.e ?? g.publicKeyJwk?.e) === 'Aw');
    expect(small.length).toBeGreaterThan(0);
    for (const group of small) {
      expect(() => assertKeyPolicy(publicKeyOf(group), 'RS256', 'publicKey')).toThrow(
        "'publicKey' has RSA public exponent 3; only 65537 is accepted",
      );
    }
  });
});

describe('Wycheproof RSASSA-PSS -> PS256/384/512', () => {
  const jwsParameters = (group: Record<string, any>): JwsAlgorithm | undefined => {
    const bits = SHA_TO_BITS[group.sha];
    return bits !== undefined && group.mgf === 'MGF1' && group.mgfSha === group.sha && group.sLen === bits / 8
      ? (`PS${bits}` as JwsAlgorithm)
      : undefined;
  };
  test.each([
    'rsa_pss_2048_sha256_mgf1_32_test.json',
    'rsa_pss_2048_sha384_mgf1_48_test.json',
    'rsa_pss_3072_sha256_mgf1_32_test.json',
    'rsa_pss_4096_sha384_mgf1_48_test.json',
    'rsa_pss_4096_sha512_mgf1_64_test.json',
    'rsa_pss_misc_test.json',
  ])('%s', (file) => {
    const outcomes = run(
      file,
      (group) => {
        const alg = jwsParameters(group);
        if (alg) return { alg, expect: fileResult };
        const bits = SHA_TO_BITS[group.sha] ?? 256;
        return { alg: `PS${bits}` as JwsAlgorithm, expect: () => false };
      },
      publicKeyOf,
    );
    expect(unexpected(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.actual)).toBe(true);
  });
});
