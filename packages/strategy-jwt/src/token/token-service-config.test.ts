import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BadRequest } from '@org/core';
import { EC256, EC384, ED25519, RSA, RSA_ATTACKER, SECRET } from './test-keys.ts';
import { TokenService, type TokenServiceOptions } from './token-service.ts';

function configError(options: TokenServiceOptions): {
  name: string;
  reason: string;
  code: number;
  message: string;
} {
  try {
    new TokenService(options);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequest);
    const e = error as BadRequest;
    return { name: e.name, reason: e.reason, code: e.code, message: e.message };
  }
  throw new Error('expected a configuration error');
}

function message(options: TokenServiceOptions): string {
  const e = configError(options);
  expect(e).toMatchObject({ name: 'BadRequest', reason: 'invalid-configuration', code: 400 });
  return e.message;
}

describe('keys', () => {
  test('no key at all', () => {
    expect(message({})).toBe("HS256 needs 'authentication.secret'");
    expect(message({ jwtOptions: { algorithm: 'ES256' } })).toBe(
      "ES256 needs 'authentication.privateKey' (to sign) or 'authentication.publicKey' (to verify only)",
    );
  });

  test.each([
    [
      'too short for HS256',
      'a1b2c3d4e5',
      {},
      "'authentication.secret' is 10 bytes; HS256 needs at least 32 bytes (the hash length)",
    ],
    [
      '32 bytes for HS512',
      'x'.repeat(31) + 'y',
      { algorithm: 'HS512' },
      "'authentication.secret' is 32 bytes; HS512 needs at least 64 bytes (the hash length)",
    ],
    [
      'a jwt.io example',
      'your-256-bit-secret',
      {},
      "'authentication.secret' is a well-known example secret; generate a random one (e.g. 64 random bytes)",
    ],
    [
      'the new jwt.io example',
      'a-string-secret-at-least-256-bits-long',
      {},
      "'authentication.secret' is a well-known example secret; generate a random one (e.g. 64 random bytes)",
    ],
    [
      'a repeated character',
      'a'.repeat(64),
      {},
      "'authentication.secret' repeats one character; generate a random secret",
    ],
    ['empty', '', {}, "'authentication.secret' is empty"],
  ] as const)('secret: %s', (_name, secret, jwtOptions, expected) => {
    expect(message({ secret, jwtOptions })).toBe(expected);
  });

  test('secret: a private KeyObject or an RSA JWK is not a secret', () => {
    expect(message({ secret: RSA.privateKey })).toBe(
      "'authentication.secret' is a private key, not a shared secret",
    );
    expect(message({ secret: RSA.publicKey.export({ format: 'jwk' }) })).toBe(
      '\'authentication.secret\' is a JWK of type RSA; a shared secret needs kty "oct"',
    );
  });

  test('secret: an oct JWK and raw bytes are accepted', () => {
    expect(
      () => new TokenService({ secret: { kty: 'oct', k: Buffer.from(SECRET).toString('base64url') } }),
    ).not.toThrow();
    expect(() => new TokenService({ secret: Buffer.from(SECRET) })).not.toThrow();
  });

  test('RSA: at least 2048 bits, e = 65537', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(message({ privateKey: small.privateKey })).toBe(
      "'authentication.privateKey' is a 1024 bit RSA key; at least 2048 bits are required",
    );
    const e3 = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    expect(message({ privateKey: e3.privateKey })).toBe(
      "'authentication.privateKey' has RSA public exponent 3; only 65537 is accepted",
    );
  });

  test('key type and curve must match the algorithm', () => {
    expect(message({ privateKey: RSA.privateKey, jwtOptions: { algorithm: 'ES256' } })).toBe(
      "'authentication.privateKey' is a rsa key; ES256 needs an EC key",
    );
    expect(message({ privateKey: EC384.privateKey, jwtOptions: { algorithm: 'ES256' } })).toBe(
      "'authentication.privateKey' is on curve secp384r1; ES256 needs P-256",
    );
    expect(message({ privateKey: EC256.privateKey, jwtOptions: { algorithm: 'EdDSA' } })).toBe(
      "'authentication.privateKey' is a ec key; EdDSA needs an Ed25519 key",
    );
    expect(message({ privateKey: ED25519.privateKey, jwtOptions: { algorithm: 'RS256' } })).toBe(
      "'authentication.privateKey' is a ed25519 key; RS256 needs an RSA key",
    );
    expect(message({ publicKey: EC256.publicKey, jwtOptions: { algorithm: 'HS256' } })).toBe(
      "HS256 needs 'authentication.secret'",
    );
  });

  test('RSA-PSS keys: PS* only, with parameter restrictions that fit the algorithm', async () => {
    const open = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const restricted = generateKeyPairSync('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha384',
      mgf1HashAlgorithm: 'sha384',
      // @types/node declares saltLength a string; node:crypto takes the number of bytes.
      saltLength: 48 as unknown as string,
    });
    for (const [pair, alg] of [
      [open, 'PS256'],
      [restricted, 'PS384'],
    ] as const) {
      // The algorithm is inferred from the key's restriction; the round trip goes through node:crypto.
      const s = new TokenService({ privateKey: pair.privateKey });
      expect(s.signOptions.algorithm).toBe(alg);
      await expect(
        s.verifyAccessToken(await s.createAccessToken({}, { subject: '1' })),
      ).resolves.toMatchObject({ sub: '1' });
    }
    expect(message({ privateKey: restricted.privateKey, jwtOptions: { algorithm: 'PS512' } })).toBe(
      "'authentication.privateKey' is an RSA-PSS key restricted to other parameters; PS512 needs sha512, MGF1 sha512 and a 64 byte salt",
    );
    expect(message({ privateKey: open.privateKey, jwtOptions: { algorithm: 'RS256' } })).toBe(
      "'authentication.privateKey' is a rsa-pss key; RS256 needs an RSA key",
    );
    const small = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
    expect(message({ publicKey: small.publicKey })).toBe(
      "'authentication.publicKey' is a 1024 bit RSA key; at least 2048 bits are required",
    );
  });

  test('the public key must be the private key’s half', () => {
    expect(message({ privateKey: RSA.privateKey, publicKey: RSA_ATTACKER.publicKey })).toBe(
      "'authentication.publicKey' is not the public half of 'authentication.privateKey'",
    );
    expect(() => new TokenService({ privateKey: RSA.privateKey, publicKey: RSA.publicKey })).not.toThrow();
  });

  test('PEM (PKCS#8, PKCS#1, CRLF, leading whitespace), JWK object and text, DER are all read', () => {
    const pkcs8 = RSA.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const inputs = [
      pkcs8,
      RSA.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
      `\n  ${pkcs8.replace(/\n/g, '\r\n')}`,
      RSA.privateKey.export({ format: 'jwk' }),
      JSON.stringify(RSA.privateKey.export({ format: 'jwk' })),
      RSA.privateKey.export({ format: 'der', type: 'pkcs8' }),
    ];
    for (const privateKey of inputs) expect(() => new TokenService({ privateKey })).not.toThrow();
  });

  test('unreadable keys', () => {
    expect(message({ privateKey: 'not a key' })).toBe(
      "'authentication.privateKey' is not a readable private key (PEM, JWK, DER or KeyObject)",
    );
    expect(message({ privateKey: RSA.publicKey.export({ format: 'jwk' }) })).toBe(
      '\'authentication.privateKey\' is a public JWK (no "d"); a private key is needed',
    );
    expect(message({ publicKey: '{"kty":' })).toBe(
      "'authentication.publicKey' looks like JWK JSON text but does not parse as a JSON object",
    );
  });
});

describe('options', () => {
  test('unknown jwtOptions keys get a did-you-mean', () => {
    expect(message({ secret: SECRET, jwtOptions: { expiresin: '1d' } as never })).toBe(
      "Unknown option 'authentication.jwtOptions.expiresin'. Did you mean 'authentication.jwtOptions.expiresIn'?",
    );
  });

  test.each(['clockTolerance', 'algorithms', 'maxAge', 'ignoreExpiration'])(
    'jwtOptions.%s points to verifyOptions',
    (key) => {
      expect(message({ secret: SECRET, jwtOptions: { [key]: 1 } as never })).toBe(
        `Unknown option 'authentication.jwtOptions.${key}'. Did you mean to set it in 'authentication.verifyOptions'?`,
      );
    },
  );

  test('verifyOptions rules', () => {
    expect(message({ secret: SECRET, verifyOptions: { clockTolerance: 301 } })).toBe(
      "'authentication.verifyOptions.clockTolerance' is 301 s; at most 300 s (5 minutes) is accepted",
    );
    expect(message({ secret: SECRET, verifyOptions: { maxAge: '1h' } as never })).toBe(
      "Unknown option 'authentication.verifyOptions.maxAge'. Did you mean 'authentication.verifyOptions.maxTokenAge'?",
    );
    expect(message({ secret: SECRET, verifyOptions: { algorithms: ['HS257' as never] } })).toBe(
      "'authentication.verifyOptions.algorithms[0]' must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA. Did you mean 'HS256'?",
    );
    expect(message({ secret: SECRET, verifyOptions: { algorithms: [] } })).toBe(
      "'authentication.verifyOptions.algorithms' must be a non-empty array",
    );
    expect(message({ secret: SECRET, verifyOptions: { audience: [] } })).toBe(
      "'authentication.verifyOptions.audience' must be a non-empty string or a non-empty array of strings",
    );
  });

  test('jwtOptions rules', () => {
    expect(message({ secret: SECRET, jwtOptions: { algorithm: 'none' as never } })).toBe(
      "'authentication.jwtOptions.algorithm' must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA",
    );
    expect(message({ secret: SECRET, jwtOptions: { expiresIn: '120' } })).toBe(
      "'authentication.jwtOptions.expiresIn' has no unit; write '120s' for seconds (or pass a number)",
    );
    expect(message({ secret: SECRET, jwtOptions: { expiresIn: 0 } })).toBe(
      "'authentication.jwtOptions.expiresIn' must be positive",
    );
    expect(message({ secret: SECRET, jwtOptions: { header: 'x' as never } })).toBe(
      "'authentication.jwtOptions.header' must be an object",
    );
  });
});
