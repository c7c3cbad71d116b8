// The one token and user every scenario uses: an HS256 token with a ~300-byte payload (sub, iat, exp,
// aud, iss, jti and a scope to reach a realistic size), signed with node:crypto so that no contender
// signs its own token.
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';

export const SECRET = 'Zp4uQm8sVx2kLr7nBd3hTy6wJc9fGa1e-Hq5NvXo0iMb-t7Rk2Lw9Pz4Qs1Dv6Hx';
export const AUDIENCE = 'https://api.bench.example/v1';
export const ISSUER = 'https://auth.bench.example';
/** The user every server holds; `sub` is its id. */
export const USER = Object.freeze({ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' });

const SCOPE = 'messages:read messages:write users:read profile:read profile:write settings:read audit:read';

/** The claims of the bench token, fresh `iat`/`exp` (one hour) and a random `jti`. */
export function claims() {
  const iat = Math.floor(Date.now() / 1000);
  return {
    sub: String(USER.id),
    iat,
    exp: iat + 3600,
    aud: AUDIENCE,
    iss: ISSUER,
    jti: randomUUID(),
    scope: SCOPE,
    tenant: 'acme-corporation-eu-west',
  };
}

const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs `payload` with `alg` (HS256 with `key` a secret string, RS256 or ES256 with `key` a private PEM),
 * typ `access` as Feathers' and our default.
 */
export function signToken(payload, alg = 'HS256', key = SECRET, kid = undefined) {
  const input = `${part({ alg, typ: 'access', ...(kid && { kid }) })}.${part(payload)}`;
  let signature;
  if (alg === 'HS256') signature = createHmac('sha256', key).update(input).digest();
  else {
    const privateKey = createPrivateKey(key);
    signature = sign('sha256', Buffer.from(input), {
      key: privateKey,
      ...(alg === 'ES256' && { dsaEncoding: 'ieee-p1363' }),
    });
  }
  return `${input}.${signature.toString('base64url')}`;
}

/** The token with its signature's last characters changed: every verifier must refuse it. */
export function tamper(token) {
  const tail = token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
  return `${token.slice(0, -6)}${tail}`;
}

/** Length in bytes of a token's payload segment, decoded. */
export function payloadBytes(token) {
  return Buffer.from(token.split('.')[1], 'base64url').length;
}
