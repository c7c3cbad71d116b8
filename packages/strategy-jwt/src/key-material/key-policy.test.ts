import { describe, expect, test } from 'vitest';
import { JWS_ALGORITHMS } from './algorithms.ts';
import { keyFitsAlgorithm } from './key-policy.ts';
import { StaticKeySource } from './key-source.ts';
import { hasRocaFingerprint } from './roca.ts';
import { EC256, EC384, EC521, ED25519, RSA, RSA_ATTACKER, SECRET_KEY } from '../token/test-keys.ts';
import { readVector } from '../token/test-vectors.ts';

describe('keyFitsAlgorithm', () => {
  test('each key fits exactly its algorithms', () => {
    const fits = (key: Parameters<typeof keyFitsAlgorithm>[0]) =>
      JWS_ALGORITHMS.filter((alg) => keyFitsAlgorithm(key, alg));
    expect(fits(SECRET_KEY)).toEqual(['HS256', 'HS384', 'HS512']);
    expect(fits(RSA.publicKey)).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    expect(fits(EC256.publicKey)).toEqual(['ES256']);
    expect(fits(EC384.publicKey)).toEqual(['ES384']);
    expect(fits(EC521.publicKey)).toEqual(['ES512']);
    expect(fits(ED25519.publicKey)).toEqual(['EdDSA']);
  });
});

describe('ROCA fingerprint', () => {
  test('flags the Wycheproof ROCA key, not freshly generated ones', () => {
    const data = readVector('wycheproof/json_web_key_test.json');
    const roca = data.testGroups.find((g: { comment: string }) => g.comment === 'jws_rsa_roca_key').private
      .keys[0];
    expect(hasRocaFingerprint(Buffer.from(roca.n, 'base64url'))).toBe(true);
    for (const pair of [RSA, RSA_ATTACKER]) {
      expect(hasRocaFingerprint(Buffer.from(pair.publicKey.export({ format: 'jwk' }).n!, 'base64url'))).toBe(
        false,
      );
    }
  });
});

describe('StaticKeySource', () => {
  test('matches on alg, and on kid when both sides have one', () => {
    const source = new StaticKeySource([
      { alg: 'RS256', key: RSA.publicKey, kid: 'a' },
      { alg: 'RS256', key: RSA_ATTACKER.publicKey, kid: 'b' },
      { alg: 'ES256', key: EC256.publicKey },
    ]);
    expect(source.resolve({ alg: 'RS256', kid: 'b' })?.key).toBe(RSA_ATTACKER.publicKey);
    expect(source.resolve({ alg: 'RS256' })?.key).toBe(RSA.publicKey);
    expect(source.resolve({ alg: 'RS256', kid: 'c' })).toBeUndefined();
    expect(source.resolve({ alg: 'ES256', kid: 'anything' })?.key).toBe(EC256.publicKey);
    expect(source.resolve({ alg: 'none' })).toBeUndefined();
  });
});
