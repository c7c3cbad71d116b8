/** Signing interop with jose: byte-identical tokens where signatures are deterministic, and mutual verification for every algorithm. */
import { createSecretKey } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../key-material/algorithms.ts';
import { keysFor, NOW, NOW_MS } from './test-keys.ts';
import { TokenService } from './token-service.ts';

function serviceFor(alg: JwsAlgorithm): TokenService {
  const { privateKey } = keysFor(alg);
  return new TokenService({
    ...(privateKey.type === 'secret' ? { secret: privateKey.export() } : { privateKey }),
    jwtOptions: { algorithm: alg },
    clock: () => NOW_MS,
  });
}

describe.each(JWS_ALGORITHMS)('%s', (alg) => {
  const { privateKey, publicKey } = keysFor(alg);

  test('our token verifies with jose; jose’s token verifies with ours', async () => {
    const s = serviceFor(alg);
    const token = await s.createAccessToken({ scope: 'read' }, { subject: '42', jwtid: 'j' });
    const verified = await jwtVerify(token, publicKey, {
      algorithms: [alg],
      audience: 'https://yourdomain.com',
      issuer: 'feathers',
      typ: 'access',
      currentDate: new Date(NOW_MS),
    });
    expect(verified.payload).toMatchObject({ scope: 'read', sub: '42', jti: 'j' });

    const joseToken = await new SignJWT({ scope: 'write' })
      .setProtectedHeader({ alg, typ: 'access' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 60)
      .setAudience('https://yourdomain.com')
      .setIssuer('feathers')
      .setSubject('9')
      .sign(privateKey);
    await expect(s.verifyAccessToken(joseToken)).resolves.toMatchObject({ scope: 'write', sub: '9' });
  });

  test.skipIf(!['HS', 'RS', 'Ed'].includes(alg.slice(0, 2)))(
    'deterministic signatures are byte-identical to jose’s',
    async () => {
      const s = serviceFor(alg);
      const token = await s.createAccessToken({}, { subject: '42', jwtid: 'fixed' });
      const [h, p] = token.split('.') as [string, string];
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const key = privateKey.type === 'secret' ? createSecretKey(privateKey.export()) : privateKey;
      expect(await new SignJWT(payload).setProtectedHeader(header).sign(key)).toBe(token);
    },
  );
});
