// Key material and the lax node:crypto primitives for each algorithm the micro suite measures. The lax
// verifier and signer are bench-only baselines: the least work a node:crypto JWT library can do (split,
// JSON.parse, signature, claims), the floor our strict verifier is compared against.
import {
  constants,
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';

export const AUDIENCE = 'https://api.bench.example';
export const ISSUER = 'https://auth.bench.example';
export const TYP = 'access';
/** Claims beside sub/iat/exp/aud/iss/jti that bring the payload to about 300 bytes, as a real app's. */
export const EXTRA_CLAIMS = {
  name: 'Ada Lovelace',
  email: 'ada.lovelace@example.com',
  roles: ['admin', 'editor'],
  scope: 'read:messages write:messages',
  tenant: 'acme-eu-west-1',
};
export const SUBJECT = '1842';

export const DEFAULT_ALGORITHMS = ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'];
export const FULL_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
export const QUICK_ALGORITHMS = ['HS256', 'ES256'];

const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
// A 64-character printable secret (64 bytes as UTF-8): long enough for HS512, as Feathers configures it.
const SECRET = 'Zp4uQm8sVx2kLr7nBd3hTy6wJc9fGa1eHq5NvXo0iMbKt2WsYd7Ue4Rj9Pc1Lf6A';

export const family = (alg) => (alg === 'EdDSA' ? 'EdDSA' : alg.slice(0, 2));
const hashOf = (alg) => (alg === 'EdDSA' ? null : `sha${alg.slice(2)}`);

/**
 * Keys for one algorithm, in every form the contenders take.
 * @returns {{ secret?: string, privateKey: import('node:crypto').KeyObject, publicKey: import('node:crypto').KeyObject, privatePem?: string, publicPem?: string }}
 */
export function keysFor(alg) {
  if (family(alg) === 'HS') {
    const key = createSecretKey(Buffer.from(SECRET, 'utf8'));
    return { secret: SECRET, privateKey: key, publicKey: key };
  }
  const pair =
    family(alg) === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : family(alg) === 'ES'
        ? generateKeyPairSync('ec', { namedCurve: CURVES[alg] })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...pair,
    privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function signatureOptions(alg, key) {
  const f = family(alg);
  if (f === 'ES') return { key, dsaEncoding: 'ieee-p1363' };
  if (f === 'PS') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  return key;
}

const json = (segment) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

/** The lax verifier: split, parse, signature, `typ`/`exp`/`aud`/`iss`; no strict pre-parser. */
export function laxVerifier(alg, key) {
  const hash = hashOf(alg);
  const hmac = family(alg) === 'HS';
  const options = signatureOptions(alg, key);
  return (token) => {
    const [h, p, s] = token.split('.');
    const header = json(h);
    if (header.alg !== alg || header.typ !== TYP) throw new Error('header');
    const data = Buffer.from(`${h}.${p}`, 'latin1');
    const signature = Buffer.from(s, 'base64url');
    let ok;
    if (hmac) {
      const expected = createHmac(hash, key).update(data).digest();
      ok = expected.length === signature.length && timingSafeEqual(expected, signature);
    } else ok = verify(hash, data, options, signature);
    if (!ok) throw new Error('signature');
    const payload = json(p);
    if (typeof payload.exp !== 'number' || payload.exp <= Date.now() / 1000) throw new Error('exp');
    if (payload.aud !== AUDIENCE || payload.iss !== ISSUER) throw new Error('claims');
    return payload;
  };
}

/** The lax signer: the same claims, a fresh `jti`, two JSON.stringify and one signature. */
export function laxSigner(alg, key) {
  const hash = hashOf(alg);
  const hmac = family(alg) === 'HS';
  const options = signatureOptions(alg, key);
  const header = Buffer.from(JSON.stringify({ alg, typ: TYP })).toString('base64url');
  return () => {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { ...EXTRA_CLAIMS, sub: SUBJECT, iat, exp: iat + 3600, aud: AUDIENCE, iss: ISSUER };
    const body = `${header}.${Buffer.from(JSON.stringify({ ...claims, jti: randomUUID() })).toString('base64url')}`;
    const signature = hmac
      ? createHmac(hash, key).update(body).digest()
      : sign(hash, Buffer.from(body, 'latin1'), options);
    return `${body}.${signature.toString('base64url')}`;
  };
}

/** Tampered copies of a token: a changed signature, and a changed payload under the old signature. */
export function tamperedCopies(token) {
  const [h, p, s] = token.split('.');
  const last = s.at(-2) === 'A' ? 'B' : 'A';
  const payload = json(p);
  const forged = Buffer.from(JSON.stringify({ ...payload, sub: `${payload.sub}0` })).toString('base64url');
  return {
    'changed signature': `${h}.${p}.${s.slice(0, -2)}${last}${s.at(-1)}`,
    'changed payload': `${h}.${forged}.${s}`,
  };
}
