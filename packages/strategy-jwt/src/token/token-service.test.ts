import { describe, expect, test, vi } from 'vitest';
import { BadRequest, NotAuthenticated } from '@org/core';
import type { JwtPayload } from './claims.ts';
import type { RevocationCheck } from './revocation-check.ts';
import { EC384, ED25519, NOW, NOW_MS, RSA, SECRET } from './test-keys.ts';
import { TokenService } from './token-service.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

const service = (options: ConstructorParameters<typeof TokenService>[0] = {}) =>
  new TokenService({ secret: SECRET, clock: () => NOW_MS, ...options });

describe('createAccessToken', () => {
  test("Feathers' defaults: HS256, typ access, audience, issuer, one day, a UUID v4 jti", async () => {
    const token = await service().createAccessToken({ userId: '123' }, { subject: '123' });
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'access' });
    expect(payload).toEqual({
      userId: '123',
      iat: NOW,
      exp: NOW + 86_400,
      aud: 'https://yourdomain.com',
      iss: 'feathers',
      jti: expect.stringMatching(UUID_V4),
      sub: '123',
    });
  });

  test('each token gets a fresh jti unless jwtid is given', async () => {
    const s = service();
    const [a, b] = [
      decode(await s.createAccessToken({})).payload.jti,
      decode(await s.createAccessToken({})).payload.jti,
    ];
    expect(a).not.toBe(b);
    expect(decode(await s.createAccessToken({}, { jwtid: 'fixed' })).payload.jti).toBe('fixed');
  });

  test.each([
    ['7d', 7 * 86_400],
    ['2h', 7200],
    ['30m', 1800],
    ['60s', 60],
    [90, 90],
  ])('expiresIn %s', async (expiresIn, seconds) => {
    expect(decode(await service().createAccessToken({}, { expiresIn })).payload.exp).toBe(NOW + seconds);
  });

  test('options replace registered claims from the payload; notBefore sets nbf', async () => {
    const { payload } = decode(
      await service().createAccessToken({ exp: 1, iat: 1, jti: 'old', nbf: 1 }, { notBefore: '30s' }),
    );
    expect(payload).toMatchObject({ exp: NOW + 86_400, iat: NOW, nbf: NOW + 30 });
    expect(payload.jti).not.toBe('old');
  });

  test('configured jwtOptions apply, per-call options win', async () => {
    const s = service({
      jwtOptions: { audience: 'api', issuer: 'me', header: { typ: 'at+jwt' }, expiresIn: '1h' },
    });
    const { header, payload } = decode(await s.createAccessToken({}, { audience: ['api', 'web'] }));
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ aud: ['api', 'web'], iss: 'me', exp: NOW + 3600 });
  });

  test('a header cannot override alg or kid', async () => {
    const { header } = decode(
      await service({ jwtOptions: { header: { alg: 'none', kid: 'x', typ: 'access' } } }).createAccessToken(
        {},
      ),
    );
    expect(header).toEqual({ alg: 'HS256', typ: 'access' });
  });

  test('a key ring puts its kid in the header and may answer asynchronously', async () => {
    const ring = {
      getSigningKey: async () => ({ alg: 'ES384' as const, key: EC384.privateKey, kid: 'ring-1' }),
      resolve: ({ kid }: { kid?: string }) =>
        kid === 'ring-1' ? { alg: 'ES384' as const, key: EC384.publicKey } : undefined,
    };
    const s = new TokenService({ keyRing: ring, clock: () => NOW_MS });
    const token = await s.createAccessToken({}, { subject: '1' });
    expect(decode(token).header).toEqual({ alg: 'ES384', kid: 'ring-1', typ: 'access' });
    await expect(s.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
  });

  test('a payload that is not an object, or has a forbidden member name, is a BadRequest', async () => {
    await expect(service().createAccessToken([] as never)).rejects.toThrow(
      new BadRequest('Token payload must be an object'),
    );
    await expect(
      service().createAccessToken(JSON.parse('{"__proto__":{"admin":true}}')),
    ).rejects.toMatchObject({
      name: 'BadRequest',
      reason: 'bad-request',
      message: 'Token payload has a duplicate or forbidden member name',
    });
  });

  test('a payload JSON cannot represent (a BigInt, a cycle) is a BadRequest, not a TypeError', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const payload of [{ n: 1n }, cyclic]) {
      await expect(service().createAccessToken(payload)).rejects.toMatchObject({
        name: 'BadRequest',
        code: 400,
        reason: 'bad-request',
        message: 'Token payload must be JSON-serialisable',
      });
    }
  });

  test.each(['crit', 'b64', 'cty', 'enc', 'zip'])(
    'a header member the verifier refuses (%s) is a configuration error, not an unverifiable token',
    async (name) => {
      const message = `'authentication.jwtOptions.header.${name}' is not supported: the verifier refuses tokens carrying it`;
      expect(() => service({ jwtOptions: { header: { typ: 'access', [name]: 'x' } } })).toThrow(message);
      await expect(
        service().createAccessToken({}, { header: { typ: 'access', [name]: 'x' } }),
      ).rejects.toMatchObject({ reason: 'invalid-configuration', message });
    },
  );

  test('a verify-only service cannot sign', async () => {
    const s = new TokenService({ publicKey: RSA.publicKey });
    await expect(s.createAccessToken({})).rejects.toMatchObject({
      reason: 'invalid-configuration',
      message: "No signing key configured: set 'authentication.privateKey' or 'authentication.secret'",
    });
  });

  test('signing with another algorithm than the key is a configuration error', async () => {
    await expect(service().createAccessToken({}, { algorithm: 'HS512' })).rejects.toMatchObject({
      reason: 'invalid-configuration',
      message: 'Cannot sign with HS512: the configured key signs HS256',
    });
  });
});

describe('verifyAccessToken', () => {
  test('round trip for a secret, RSA, EC and Ed25519 key (algorithm inferred from the key)', async () => {
    for (const [options, alg] of [
      [{ secret: SECRET }, 'HS256'],
      [{ secret: undefined, privateKey: RSA.privateKey }, 'RS256'],
      [{ secret: undefined, privateKey: EC384.privateKey }, 'ES384'],
      [{ secret: undefined, privateKey: ED25519.privateKey }, 'EdDSA'],
    ] as const) {
      const s = service(options);
      const token = await s.createAccessToken({ role: 'admin' }, { subject: '7' });
      expect(decode(token).header.alg).toBe(alg);
      await expect(s.verifyAccessToken(token)).resolves.toEqual(decode(token).payload);
    }
  });

  test('a verify-only service (publicKey) verifies what the signer issued', async () => {
    const token = await service({
      secret: undefined,
      privateKey: RSA.privateKey,
      jwtOptions: { algorithm: 'PS256' },
    }).createAccessToken({});
    const verifier = service({
      secret: undefined,
      publicKey: RSA.publicKey,
      jwtOptions: { algorithm: 'PS256' },
    });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ iss: 'feathers' });
  });

  test('per-call verification options', async () => {
    const s = service();
    const token = await s.createAccessToken({});
    await expect(s.verifyAccessToken(token, { audience: 'other' })).rejects.toMatchObject({
      reason: 'claim-invalid',
      message: 'Invalid "aud" claim',
    });
    await expect(s.verifyAccessToken(token, { audience: null })).resolves.toBeDefined();
  });

  test('verifyOptions default from jwtOptions (audience, issuer, typ)', async () => {
    const s = service({ jwtOptions: { audience: 'api', issuer: 'me', header: { typ: 'at+jwt' } } });
    const token = await s.createAccessToken({});
    await expect(s.verifyAccessToken(token)).resolves.toMatchObject({ aud: 'api', iss: 'me' });
    const other = await service().createAccessToken({});
    await expect(s.verifyAccessToken(other)).rejects.toMatchObject({
      reason: 'claim-invalid',
      message: 'Invalid token type',
    });
  });

  test('typ: false skips the check; requireTyp: false lets a token without typ through', async () => {
    const plain = await service({ jwtOptions: { header: {} } }).createAccessToken({});
    await expect(service().verifyAccessToken(plain)).rejects.toMatchObject({ message: 'Invalid token type' });
    await expect(
      service({ verifyOptions: { requireTyp: false } }).verifyAccessToken(plain),
    ).resolves.toBeDefined();
    await expect(service({ verifyOptions: { typ: false } }).verifyAccessToken(plain)).resolves.toBeDefined();
  });

  test('expiry follows the injected clock', async () => {
    let now = NOW_MS;
    const s = service({ clock: () => now });
    const token = await s.createAccessToken({}, { expiresIn: '60s' });
    now += 59_999;
    await expect(s.verifyAccessToken(token)).resolves.toBeDefined();
    now += 1;
    await expect(s.verifyAccessToken(token)).rejects.toThrow(
      new NotAuthenticated('Token expired', {
        reason: 'token-expired',
        data: { name: 'TokenExpiredError', expiredAt: new Date(NOW_MS + 60_000).toISOString() },
      }),
    );
  });
});

describe('revocation', () => {
  function denylist(): RevocationCheck & { revoked: Set<unknown> } {
    const revoked = new Set<unknown>();
    return {
      revoked,
      isRevoked: vi.fn(async (payload: JwtPayload) => revoked.has(payload.jti)),
      revoke: vi.fn(async (payload: JwtPayload) => void revoked.add(payload.jti)),
    };
  }

  test('checked last, only for authentic tokens; revokeAccessToken delegates', async () => {
    const list = denylist();
    const s = service({ revocation: list });
    const token = await s.createAccessToken({});
    const payload = await s.verifyAccessToken(token);
    await expect(s.verifyAccessToken(`${token.slice(0, -2)}AA`)).rejects.toMatchObject({
      reason: 'invalid-signature',
    });
    expect(list.isRevoked).toHaveBeenCalledTimes(1);
    await s.revokeAccessToken(token, payload);
    expect(list.revoke).toHaveBeenCalledWith(payload);
    await expect(s.verifyAccessToken(token)).rejects.toMatchObject({
      name: 'NotAuthenticated',
      reason: 'token-revoked',
      message: 'Token revoked',
    });
  });

  test('without revocation, revokeAccessToken is a no-op; setRevocation attaches one later', async () => {
    const s = service();
    const token = await s.createAccessToken({});
    const payload = await s.verifyAccessToken(token);
    await expect(s.revokeAccessToken(token, payload)).resolves.toBeUndefined();
    const list = denylist();
    s.setRevocation(list);
    await s.revokeAccessToken(token, payload);
    await expect(s.verifyAccessToken(token)).rejects.toMatchObject({ reason: 'token-revoked' });
  });
});

describe('TokenService.fromConfiguration', () => {
  test('reads the authentication section and ignores keys owned by others', async () => {
    const s = TokenService.fromConfiguration({
      secret: SECRET,
      entity: 'user',
      service: 'users',
      authStrategies: ['jwt', 'local'],
      jwt: { header: 'Authorization' },
      local: { usernameField: 'email' },
      jwtOptions: { expiresIn: '2h' },
      verifyOptions: { clockTolerance: 10 },
    });
    const token = await s.createAccessToken({});
    expect((decode(token).payload.exp! as number) - (decode(token).payload.iat as number)).toBe(7200);
    await expect(s.verifyAccessToken(token)).resolves.toBeDefined();
  });

  test('a revocation setting it cannot use is refused, never ignored (JWTStrategy builds { store })', () => {
    for (const revocation of [{ store: 'redis://127.0.0.1:6379' }, { enabled: true }, true]) {
      expect(() => TokenService.fromConfiguration({ secret: SECRET, revocation })).toThrow(
        "'authentication.revocation' here must be a revocation check ({ isRevoked, revoke }) or false",
      );
    }
    expect(() => TokenService.fromConfiguration({ secret: SECRET, revocation: false })).not.toThrow();
  });

  test('uses a revocation object that implements the check', async () => {
    const revocation = { isRevoked: async () => true, revoke: async () => undefined };
    const s = TokenService.fromConfiguration({ secret: SECRET, revocation });
    await expect(s.verifyAccessToken(await s.createAccessToken({}))).rejects.toMatchObject({
      reason: 'token-revoked',
    });
  });

  test('a key ring settings object is not a key ring', () => {
    expect(() => TokenService.fromConfiguration({ keyRing: { rotateEvery: '30d' } })).toThrow(
      "'authentication.keyRing' must be a KeyRing instance (see createKeyRing())",
    );
  });
});
