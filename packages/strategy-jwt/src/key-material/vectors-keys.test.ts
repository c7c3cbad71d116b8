/**
 * Key-import vectors, and the check that every vector file of the shared folder is run by some test.
 *
 * Decisions:
 * - ecdh_secp256r1_webcrypto_test.json is an ECDH file; its use here is as a source of public JWKs. Its
 *   `invalid` cases (a point off the curve, a point on another curve, a P-384 key, a modified point) must be
 *   refused at import as ES256 keys; its `valid` cases are valid P-256 points and must import. The ECDH
 *   shared-secret part of the file has no JWS meaning.
 * - RFC 7520 section 3 JWKs import as the key of their curve or of their `alg`, keeping their `kid`; a
 *   private JWK yields its public half.
 * - `schema_*.json` describe the Wycheproof formats; they hold no cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { verificationKeyFromJwk } from './jwk-import.ts';
import { readVector, VECTORS_DIR, type WycheproofFile } from '../token/test-vectors.ts';

describe('every vector file is run', () => {
  test('each case file of wycheproof/ and jose-cookbook/ is named by a test of this package', () => {
    const src = new URL('../', import.meta.url);
    const tests = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => readFileSync(new URL(name, src), 'utf8'))
      .join('\n');
    const files = ['wycheproof', 'jose-cookbook'].flatMap((folder) =>
      readdirSync(`${VECTORS_DIR}${folder}`).filter(
        (name) => name.endsWith('.json') && !name.startsWith('schema_'),
      ),
    );
    expect(files.length).toBeGreaterThan(30);
    expect(files.filter((name) => !tests.includes(name))).toEqual([]);
  });
});

describe('Wycheproof ecdh_secp256r1_webcrypto_test.json public keys as ES256 keys', () => {
  test('invalid points and curves are refused at import; valid points import', () => {
    const data = readVector<WycheproofFile>('wycheproof/ecdh_secp256r1_webcrypto_test.json');
    const wrong: unknown[] = [];
    let invalid = 0;
    let count = 0;
    for (const group of data.testGroups) {
      for (const t of group.tests) {
        count++;
        let imported: boolean;
        try {
          verificationKeyFromJwk({ ...t.public, alg: 'ES256' }, { setting: 'jwk' });
          imported = true;
        } catch (error) {
          expect(error).toMatchObject({ name: 'BadRequest', reason: 'invalid-configuration' });
          imported = false;
        }
        if (t.result === 'invalid') invalid++;
        if (imported !== (t.result !== 'invalid')) wrong.push({ tcId: t.tcId, flags: t.flags, imported });
      }
    }
    expect(count).toBe(data.numberOfTests);
    expect(invalid).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
  });
});

describe('RFC 7520 section 3 JWKs', () => {
  test.each([
    ['cookbook_jwk_3_1.ec_public_key.json', 'ES512', 'public'],
    ['cookbook_jwk_3_2.ec_private_key.json', 'ES512', 'public'],
    ['cookbook_jwk_3_3.rsa_public_key.json', 'RS256', 'public'],
    ['cookbook_jwk_3_4.rsa_private_key.json', 'RS256', 'public'],
    ['cookbook_jwk_3_5.symmetric_key_mac_computation.json', 'HS256', 'secret'],
  ])('%s imports as %s (%s key) with its kid', (file, alg, type) => {
    const jwk = readVector(`jose-cookbook/${file}`);
    const entry = verificationKeyFromJwk(jwk);
    expect({ alg: entry.alg, type: entry.key.type, kid: entry.kid }).toEqual({ alg, type, kid: jwk.kid });
  });
});
