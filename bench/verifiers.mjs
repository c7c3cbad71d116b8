// The verifiers compared by bench/run.mjs, each configured to check the same things: the algorithm
// allow-list, the signature, `exp`, `aud`, `iss` and (where the library can) the `typ` header.
// Every key is imported once, before the measurement, as a server does.
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { importSPKI, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';

export const AUDIENCE = 'https://bench.example';
export const ISSUER = 'bench';
const TYP = 'access';

function json(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * A lax node:crypto verifier with a pre-imported KeyObject: split, parse, signature, claims, and no
 * strict pre-parser (no canonical base64url check, no duplicate-member scan). The floor any strict
 * node:crypto verifier is measured against; for the benchmark only.
 */
function laxVerifier(alg, key) {
  return (token) => {
    const [h, p, s] = token.split('.');
    const header = json(h);
    if (header.alg !== alg || header.typ !== TYP) throw new Error('header');
    const data = Buffer.from(`${h}.${p}`, 'latin1');
    const signature = Buffer.from(s, 'base64url');
    const ok =
      alg === 'HS256'
        ? (() => {
            const expected = createHmac('sha256', key).update(data).digest();
            return expected.length === signature.length && timingSafeEqual(expected, signature);
          })()
        : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (!ok) throw new Error('signature');
    const payload = json(p);
    if (typeof payload.exp !== 'number' || payload.exp <= Date.now() / 1000) throw new Error('exp');
    if (payload.aud !== AUDIENCE || payload.iss !== ISSUER) throw new Error('claims');
    return payload;
  };
}

/**
 * Builds the contenders for one algorithm around a token our TokenService signed.
 * @param {typeof import('@org/strategy-jwt')} pkg - The built @org/strategy-jwt.
 * @param {'HS256' | 'ES256'} alg
 */
export async function contenders(pkg, alg) {
  const jwtOptions = { algorithm: alg, audience: AUDIENCE, issuer: ISSUER, expiresIn: '1h' };
  let ours, joseKey, fastKey, jsonwebtokenKey, laxKey;
  if (alg === 'HS256') {
    const secret = 'Zp4uQm8sVx2kLr7nBd3hTy6wJc9fGa1e-Hq5NvXo0iMb';
    ours = pkg.TokenService.fromConfiguration({ secret, jwtOptions });
    joseKey = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    fastKey = secret;
    jsonwebtokenKey = createSecretKey(Buffer.from(secret, 'utf8'));
    laxKey = jsonwebtokenKey;
  } else {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    ours = pkg.TokenService.fromConfiguration({ privateKey, publicKey, jwtOptions });
    joseKey = await importSPKI(publicPem, 'ES256');
    fastKey = publicPem;
    jsonwebtokenKey = createPublicKey(publicPem);
    laxKey = jsonwebtokenKey;
  }
  const token = await ours.createAccessToken({ name: 'bench' }, { subject: '1' });
  const fast = createVerifier({
    key: fastKey,
    algorithms: [alg],
    allowedAud: AUDIENCE,
    allowedIss: ISSUER,
    checkTyp: TYP,
    cache: false,
  });
  const lax = laxVerifier(alg, laxKey);
  const joseOptions = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER, typ: TYP };
  const jsonwebtokenOptions = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER };

  return {
    token,
    tasks: [
      ['@org/strategy-jwt TokenService.verifyAccessToken (strict)', (t) => ours.verifyAccessToken(t)],
      ['node:crypto lax baseline (no strict pre-parser)', (t) => lax(t)],
      ['jose jwtVerify (WebCrypto, pre-imported CryptoKey)', (t) => jwtVerify(t, joseKey, joseOptions)],
      ['fast-jwt createVerifier (cache off)', (t) => fast(t)],
      [
        'jsonwebtoken verify (KeyObject)',
        (t) => jsonwebtoken.verify(t, jsonwebtokenKey, jsonwebtokenOptions),
      ],
    ],
  };
}
