import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { NotAuthenticated } from '@org/core';
import { createSigner, createVerifier } from 'fast-jwt';
// node-jose ships no types; it is an independent JOSE implementation used only as a reference here.
// @ts-expect-error no declaration file
import nodeJose from 'node-jose';
import { describe, expect, it } from 'vitest';
import { TokenService } from '../src/token/token-service.ts';

const AUDIENCE = 'https://interop.example';
const ISSUER = 'interop';

interface NodeJoseKey {
  toJSON(exportPrivate?: boolean): Record<string, unknown>;
}

type Algorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512';

/** How node-jose generates a key for each algorithm it implements (it has no EdDSA). */
const NODE_JOSE_KEYS: Record<Algorithm, [kty: string, size: number | string]> = {
  HS256: ['oct', 256],
  HS384: ['oct', 384],
  HS512: ['oct', 512],
  RS256: ['RSA', 2048],
  RS384: ['RSA', 2048],
  RS512: ['RSA', 2048],
  PS256: ['RSA', 2048],
  PS384: ['RSA', 2048],
  PS512: ['RSA', 2048],
  ES256: ['EC', 'P-256'],
  ES384: ['EC', 'P-384'],
  ES512: ['EC', 'P-521'],
};

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'user-1',
    aud: AUDIENCE,
    iss: ISSUER,
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
    name: 'Ada ✓',
  };
}

const jwtOptions = (algorithm: string) => ({
  algorithm,
  audience: AUDIENCE,
  issuer: ISSUER,
  expiresIn: '10m',
});

/** Our token service configured with the same key material node-jose generated. */
function ourService(alg: Algorithm, jwk: Record<string, unknown>): TokenService {
  if (alg.startsWith('HS')) {
    return TokenService.fromConfiguration({
      secret: Buffer.from(jwk.k as string, 'base64url').toString('latin1'),
      jwtOptions: jwtOptions(alg),
    });
  }
  const { kid: _kid, use: _use, alg: _alg, ...material } = jwk;
  const privateKey = createPrivateKey({ key: material as never, format: 'jwk' });
  return TokenService.fromConfiguration({
    privateKey,
    publicKey: createPublicKey(privateKey),
    jwtOptions: jwtOptions(alg),
  });
}

async function expectRejection(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error).toMatchObject({ reason });
}

describe.each(Object.keys(NODE_JOSE_KEYS) as Algorithm[])('interop with node-jose: %s', (alg) => {
  // A printable secret: our service takes a string secret as Feathers does, node-jose its bytes.
  const keyPromise = (async () => {
    const [kty, size] = NODE_JOSE_KEYS[alg];
    if (kty === 'oct') {
      const bytes = Buffer.from(
        randomBytes((size as number) / 8)
          .toString('hex')
          .slice(0, (size as number) / 8),
      );
      return (await nodeJose.JWK.asKey({ kty: 'oct', k: bytes.toString('base64url'), alg })) as NodeJoseKey;
    }
    return (await nodeJose.JWK.createKey(kty, size, { alg, use: 'sig' })) as NodeJoseKey;
  })();

  it('a token signed by node-jose verifies with ours, claims intact', async () => {
    const key = await keyPromise;
    const service = ourService(alg, key.toJSON(true));
    const payload = claims();
    const token: string = await nodeJose.JWS.createSign(
      { format: 'compact', fields: { alg, typ: 'access' } },
      key,
    )
      .update(JSON.stringify(payload), 'utf8')
      .final();
    await expect(service.verifyAccessToken(token)).resolves.toEqual(payload);
  });

  it('a token signed by ours verifies with node-jose, header and claims intact', async () => {
    const key = await keyPromise;
    const service = ourService(alg, key.toJSON(true));
    const token = await service.createAccessToken({ name: 'Ada ✓' }, { subject: 'user-1' });
    const verifier = nodeJose.JWS.createVerify(key, { algorithms: [alg] });
    const verified = (await verifier.verify(token)) as { header: Record<string, unknown>; payload: Buffer };
    expect(verified.header).toMatchObject({ alg, typ: 'access' });
    const payload = JSON.parse(verified.payload.toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({ name: 'Ada ✓', sub: 'user-1', aud: AUDIENCE, iss: ISSUER });
    expect(payload.exp).toBe((payload.iat as number) + 600);
  });

  it('a node-jose token signed by another key of the same type is refused', async () => {
    const key = await keyPromise;
    const service = ourService(alg, key.toJSON(true));
    const [kty, size] = NODE_JOSE_KEYS[alg];
    const other = (await nodeJose.JWK.createKey(kty, size, { alg })) as NodeJoseKey;
    const token: string = await nodeJose.JWS.createSign(
      { format: 'compact', fields: { alg, typ: 'access' } },
      other,
    )
      .update(JSON.stringify(claims()), 'utf8')
      .final();
    await expectRejection(service.verifyAccessToken(token), 'invalid-signature');
  });
});

// node-jose 2.2 implements no OKP keys, so EdDSA is checked against fast-jwt, another independent
// implementation (over node:crypto, no jose code).
describe('interop with fast-jwt: EdDSA (node-jose has no Ed25519)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const service = TokenService.fromConfiguration({ privateKey, publicKey, jwtOptions: jwtOptions('EdDSA') });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

  it('a token signed by fast-jwt verifies with ours', async () => {
    const sign = createSigner({
      key: privatePem,
      algorithm: 'EdDSA',
      header: { alg: 'EdDSA', typ: 'access' },
    });
    const payload = claims();
    await expect(service.verifyAccessToken(sign(payload))).resolves.toEqual(payload);
  });

  it('a token signed by ours verifies with fast-jwt', async () => {
    const token = await service.createAccessToken({ name: 'Ada ✓' }, { subject: 'user-1' });
    const verify = createVerifier({
      key: publicPem,
      algorithms: ['EdDSA'],
      allowedAud: AUDIENCE,
      allowedIss: ISSUER,
      complete: true,
    });
    const verified = verify(token) as { header: Record<string, unknown>; payload: Record<string, unknown> };
    expect(verified.header).toMatchObject({ alg: 'EdDSA', typ: 'access' });
    expect(verified.payload).toMatchObject({ name: 'Ada ✓', sub: 'user-1' });
  });

  it('a fast-jwt token by another Ed25519 key is refused', async () => {
    const other = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const sign = createSigner({ key: other, algorithm: 'EdDSA', header: { alg: 'EdDSA', typ: 'access' } });
    await expectRejection(service.verifyAccessToken(sign(claims())), 'invalid-signature');
  });
});
