import { describe, expect, test } from 'vitest';
import { BadRequest } from '@org/core';
import { EC256, RSA, SECRET } from './test-keys.ts';
import { TokenService, type TokenServiceOptions } from './token-service.ts';

// Issue 16 item 4: a JWK's `use`, `key_ops` and `alg` are honoured by the TokenService, as the docs
// promise; a mismatch fails at construction, naming the member.

const rsaPrivate = RSA.privateKey.export({ format: 'jwk' });
const rsaPublic = RSA.publicKey.export({ format: 'jwk' });
const octSecret = { kty: 'oct', k: Buffer.from(SECRET).toString('base64url') };

function refusal(options: TokenServiceOptions): string {
  try {
    new TokenService(options);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ reason: 'invalid-configuration', code: 400 });
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());

// The refusals of `use` and `key_ops` in every setting and form are in the attack catalogue
// (attacks.test.ts, "JWK metadata").

describe('use and key_ops that allow the operation', () => {
  test('use "sig" is accepted', () => {
    expect(() => new TokenService({ privateKey: { ...rsaPrivate, use: 'sig' } })).not.toThrow();
  });

  test('key_ops allowing the operation is accepted', () => {
    expect(() => new TokenService({ secret: { ...octSecret, key_ops: ['sign', 'verify'] } })).not.toThrow();
    expect(
      () =>
        new TokenService({
          privateKey: { ...rsaPrivate, key_ops: ['sign'] },
          publicKey: { ...rsaPublic, key_ops: ['verify'] },
        }),
    ).not.toThrow();
  });
});

describe('alg', () => {
  test('an RSA JWK tagged PS256 signs PS256, not RS256', async () => {
    const tokens = new TokenService({ privateKey: { ...rsaPrivate, alg: 'PS256' } });
    expect(tokens.signOptions.algorithm).toBe('PS256');
    const token = await tokens.createAccessToken({}, { subject: '1' });
    expect(header(token).alg).toBe('PS256');
    await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
  });

  test('an oct JWK tagged HS512 signs HS512', async () => {
    const secret = { kty: 'oct', k: Buffer.from(SECRET.repeat(2)).toString('base64url'), alg: 'HS512' };
    const token = await new TokenService({ secret }).createAccessToken({});
    expect(header(token).alg).toBe('HS512');
  });

  test('a JWK alg that contradicts jwtOptions.algorithm is refused, naming both', () => {
    expect(refusal({ privateKey: { ...rsaPrivate, alg: 'PS256' }, jwtOptions: { algorithm: 'RS256' } })).toBe(
      "'authentication.privateKey.alg' is PS256 but 'authentication.jwtOptions.algorithm' is RS256: the key is only for PS256",
    );
  });

  test('a private and a public JWK that declare different algorithms are refused', () => {
    expect(
      refusal({ privateKey: { ...rsaPrivate, alg: 'PS256' }, publicKey: { ...rsaPublic, alg: 'RS256' } }),
    ).toBe("'authentication.privateKey.alg' is PS256 but 'authentication.publicKey.alg' is RS256");
  });

  test('an alg that does not fit the key, or is not a JWS algorithm, is refused', () => {
    const ec = EC256.privateKey.export({ format: 'jwk' });
    expect(refusal({ privateKey: { ...ec, alg: 'ES384' } })).toBe(
      "'authentication.privateKey' is on curve prime256v1; ES384 needs P-384",
    );
    expect(refusal({ privateKey: { ...ec, alg: 'ECDH-ES' } })).toBe(
      "'authentication.privateKey.alg' is not a supported JWS algorithm",
    );
  });
});
