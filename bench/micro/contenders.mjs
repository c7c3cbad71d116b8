// The verify and sign contenders of the micro suite, each configured to check the same things: the
// algorithm allow-list, the signature, `exp`, `aud`, `iss` and (where the library can) the `typ` header.
// Every key is imported once, before the measurement, as a server does.
import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { SignJWT, importPKCS8, importSPKI, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import {
  AUDIENCE,
  EXTRA_CLAIMS,
  ISSUER,
  SUBJECT,
  TYP,
  family,
  laxSigner,
  laxVerifier,
} from './algorithms.mjs';

/** The name of the baseline row every ratio is taken against. */
export const BASELINE = 'node:crypto lax baseline';

/** Our TokenService for `alg`, with extra options (the verified-token cache). */
export function ourTokenService(pkg, alg, keys, extra = {}) {
  const jwtOptions = { algorithm: alg, audience: AUDIENCE, issuer: ISSUER, expiresIn: '1h' };
  const material =
    family(alg) === 'HS'
      ? { secret: keys.secret }
      : { privateKey: keys.privateKey, publicKey: keys.publicKey };
  return new pkg.TokenService({ ...material, jwtOptions, ...extra });
}

/**
 * Whether this build of TokenService has the `verifiedTokenCache` option. The constructor ignores
 * unknown members, so "it constructs" is not enough: the option must also appear in the build.
 */
export async function hasVerifiedTokenCache(pkg, alg, keys) {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(
    new URL('../../packages/strategy-jwt/dist/token/token-service.js', import.meta.url),
    'utf8',
  ).catch(() => '');
  if (!source.includes('verifiedTokenCache')) return false;
  try {
    ourTokenService(pkg, alg, keys, { verifiedTokenCache: true });
    return true;
  } catch {
    return false;
  }
}

async function joseKeys(alg, keys) {
  if (family(alg) === 'HS') {
    const hash = `SHA-${alg.slice(2)}`;
    const raw = new TextEncoder().encode(keys.secret);
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign', 'verify']);
    return { verify: key, sign: key };
  }
  return { verify: await importSPKI(keys.publicPem, alg), sign: await importPKCS8(keys.privatePem, alg) };
}

/**
 * Verify contenders for one algorithm.
 * @returns {Promise<Array<{ name: string, verify: (token: string) => unknown, note?: string }>>}
 */
export async function verifyContenders(pkg, alg, keys, { verifiedTokenCache }) {
  const ours = ourTokenService(pkg, alg, keys);
  const jose = await joseKeys(alg, keys);
  const hs = family(alg) === 'HS';
  const stringKey = hs ? keys.secret : keys.publicPem;
  const fastOptions = { algorithms: [alg], allowedAud: AUDIENCE, allowedIss: ISSUER, checkTyp: TYP };
  const fastOff = createVerifier({ key: stringKey, ...fastOptions, cache: false });
  const fastOn = createVerifier({ key: stringKey, ...fastOptions, cache: true });
  const joseOptions = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER, typ: TYP };
  const jwtOptions = { algorithms: [alg], audience: AUDIENCE, issuer: ISSUER };
  const list = [{ name: 'ours (TokenService, strict)', verify: (t) => ours.verifyAccessToken(t) }];
  if (verifiedTokenCache) {
    const cached = ourTokenService(pkg, alg, keys, { verifiedTokenCache: true });
    list.push({
      name: 'ours + verifiedTokenCache',
      verify: (t) => cached.verifyAccessToken(t),
      note: 'the same token again: a cache hit',
    });
  }
  list.push(
    { name: BASELINE, verify: laxVerifier(alg, keys.publicKey) },
    { name: 'jose jwtVerify', verify: (t) => jwtVerify(t, jose.verify, joseOptions) },
    { name: 'fast-jwt (cache off)', verify: (t) => fastOff(t) },
    { name: 'fast-jwt (cache on)', verify: (t) => fastOn(t), note: 'the same token again: a cache hit' },
  );
  // jsonwebtoken 9 has no EdDSA.
  if (alg !== 'EdDSA') {
    list.push(
      {
        name: 'jsonwebtoken (KeyObject)',
        verify: (t) => jsonwebtoken.verify(t, keys.publicKey, jwtOptions),
        note: 'no typ check',
      },
      {
        name: 'jsonwebtoken (string, as Feathers)',
        // Feathers passes `authentication.secret` as is: the secret, or the private PEM for RS/PS/ES.
        verify: (t) => jsonwebtoken.verify(t, hs ? keys.secret : keys.privatePem, jwtOptions),
        note: 'no typ check; parses the key on every call',
      },
    );
  }
  return list;
}

/**
 * Sign contenders for one algorithm: the same claims, a fresh `jti` per token.
 * @returns {Promise<Array<{ name: string, sign: () => unknown, note?: string }>>}
 */
export async function signContenders(pkg, alg, keys) {
  const ours = ourTokenService(pkg, alg, keys);
  const jose = await joseKeys(alg, keys);
  const hs = family(alg) === 'HS';
  const fast = createSigner({
    key: hs ? keys.secret : keys.privatePem,
    algorithm: alg,
    aud: AUDIENCE,
    iss: ISSUER,
    sub: SUBJECT,
    expiresIn: 3_600_000,
    header: { typ: TYP },
  });
  const jwtOptions = {
    algorithm: alg,
    audience: AUDIENCE,
    issuer: ISSUER,
    subject: SUBJECT,
    expiresIn: '1h',
    header: { alg, typ: TYP },
  };
  const list = [
    {
      name: 'ours (TokenService, strict)',
      sign: () => ours.createAccessToken(EXTRA_CLAIMS, { subject: SUBJECT }),
    },
    { name: BASELINE, sign: laxSigner(alg, keys.privateKey) },
    {
      name: 'jose SignJWT',
      sign: () =>
        new SignJWT(EXTRA_CLAIMS)
          .setProtectedHeader({ alg, typ: TYP })
          .setSubject(SUBJECT)
          .setAudience(AUDIENCE)
          .setIssuer(ISSUER)
          .setIssuedAt()
          .setExpirationTime('1h')
          .setJti(randomUUID())
          .sign(jose.sign),
    },
    { name: 'fast-jwt', sign: () => fast({ ...EXTRA_CLAIMS, jti: randomUUID() }) },
  ];
  if (alg !== 'EdDSA') {
    list.push(
      {
        name: 'jsonwebtoken (KeyObject)',
        sign: () => jsonwebtoken.sign(EXTRA_CLAIMS, keys.privateKey, { ...jwtOptions, jwtid: randomUUID() }),
      },
      {
        name: 'jsonwebtoken (string, as Feathers)',
        sign: () =>
          jsonwebtoken.sign(EXTRA_CLAIMS, hs ? keys.secret : keys.privatePem, {
            ...jwtOptions,
            jwtid: randomUUID(),
          }),
        note: 'parses the key on every call',
      },
    );
  }
  return list;
}
