// Standard verifiers find the demo's keys: the discovery document names the issuer and the JWKS, and
// jose's remote key set (the library most verifiers use) and this repository's remote verifier both
// accept a demo token with only those two URLs.
import { createRemoteVerifier } from '@org/strategy-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningDemo, signUpAndLogIn, type TestDemo } from './support.ts';

let demo: TestDemo;
let base: string;

beforeAll(async () => {
  ({ demo, base } = await listeningDemo());
});
afterAll(async () => demo?.dispose());

describe('/.well-known', () => {
  it('publishes the OpenID metadata: issuer, jwks_uri and the signing algorithm', async () => {
    const response = await fetch(`${base}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const metadata = await response.json();
    expect(metadata).toMatchObject({
      issuer: base,
      jwks_uri: `${base}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('serves the JWKS with public members only, a cache lifetime and an ETag', async () => {
    const response = await fetch(`${base}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const etag = response.headers.get('etag');
    const { keys } = await response.json();
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
    expect(keys.map((key: { kid: string }) => key.kid)).toContain((await demo.keyRing.getSigningKey()).kid);
    const again = await fetch(`${base}/.well-known/jwks.json`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('lets jose verify a demo token from the discovery document alone', async () => {
    const { accessToken, user } = await signUpAndLogIn(demo);
    const metadata = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(accessToken, keys, {
      issuer: metadata.issuer,
      audience: base,
      algorithms: metadata.id_token_signing_alg_values_supported,
      typ: 'access',
    });
    expect(payload.sub).toBe(String(user.id));
    expect(protectedHeader.alg).toBe('ES256');
  });

  it("lets this repository's remote verifier verify it too", async () => {
    const { accessToken, user } = await signUpAndLogIn(demo);
    const verifier = createRemoteVerifier({
      issuer: base,
      jwksUri: `${base}/.well-known/jwks.json`,
      audience: base,
      algorithms: ['ES256'],
    });
    const payload = await verifier.verifyAccessToken(accessToken);
    expect(payload.sub).toBe(String(user.id));
  });
});
