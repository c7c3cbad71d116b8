// node:http servers: the ceiling (no auth), our guard (HS256, RS256, ES256; entity cache; signature
// verification offloaded or not; with or without busy handlers), our verifier, fast-jwt and a raw
// node:crypto verifier in a handler.
import { createHmac, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { AUDIENCE, ISSUER, SECRET, USER, claims, signToken, tamper } from '../token.mjs';
import { bearer, busy, listen, orgAuth, sendJson } from './common.mjs';

const unauthorized = (res) => sendJson(res, 401, { name: 'NotAuthenticated', code: 401 });

/** Answers the bench user to anyone: the ceiling of node:http on this machine. */
async function ceiling() {
  const server = createServer((req, res) => sendJson(res, 200, USER));
  return { port: await listen(server), close: () => server.close() };
}

/** PEM key pairs for the asymmetric rows, made in the child so that no key crosses processes. */
function keyPair(alg) {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

/**
 * node:http with core's `authenticateMiddleware(auth, 'jwt')`; `guarded: false` answers without it.
 * Options: `alg` (HS256 default, RS256, ES256), `entityCache`, `offload` (verifyOptions.offloadSignature),
 * `tokenCache` (verifiedTokenCache), `busyMs` (synchronous work per request, guarded or not).
 */
async function orgNode({
  guarded = true,
  alg = 'HS256',
  entityCache = false,
  tokenCache = false,
  offload,
  busyMs = 0,
}) {
  const { authenticateMiddleware } = await import('@org/core');
  const keys = alg === 'HS256' ? undefined : keyPair(alg);
  const { auth, strategy } = await orgAuth({
    ...(keys && { ...keys, jwtOptions: { algorithm: alg } }),
    ...(entityCache && { entityCache: { ttl: 60_000 } }),
    ...(tokenCache && { verifiedTokenCache: true }),
    // Only `true` is passed: `false` is the default, and a build without the option refuses the key.
    ...(offload && { verifyOptions: { offloadSignature: true } }),
  });
  const requireUser = authenticateMiddleware(auth, 'jwt');
  const answer = (req, res) => {
    busy(busyMs);
    sendJson(res, 200, guarded ? req.user : USER);
  };
  const server = createServer(guarded ? (req, res) => requireUser(req, res, () => answer(req, res)) : answer);
  const token = keys ? signToken(claims(), alg, keys.privateKey) : undefined;
  return {
    port: await listen(server),
    ...(token && { token, tampered: tamper(token) }),
    close: () => (server.close(), strategy.entityCache?.close()),
  };
}

/** fast-jwt's `createVerifier` in a node:http handler (no user lookup), its cache off or on. */
async function fastJwt({ cache = false }) {
  const { createVerifier } = await import('fast-jwt');
  const verify = createVerifier({
    key: SECRET,
    algorithms: ['HS256'],
    allowedAud: AUDIENCE,
    allowedIss: ISSUER,
    cache,
  });
  const server = createServer((req, res) => {
    let payload;
    try {
      payload = verify(bearer(req) ?? '');
    } catch {
      return unauthorized(res);
    }
    sendJson(res, 200, payload.sub === String(USER.id) ? USER : {});
  });
  return { port: await listen(server), close: () => server.close() };
}

/**
 * Our verifier in the same handler as fast-jwt's (no user lookup): `auth.verifyAccessToken`, strict, with
 * revocation, the verified-token cache off or on.
 */
async function orgVerifier({ tokenCache = false }) {
  const { auth } = await orgAuth(tokenCache ? { verifiedTokenCache: true } : {});
  const server = createServer((req, res) => {
    auth.verifyAccessToken(bearer(req) ?? '').then(
      (payload) => sendJson(res, 200, payload.sub === String(USER.id) ? USER : {}),
      () => unauthorized(res),
    );
  });
  return { port: await listen(server), close: () => server.close() };
}

/** A lax node:crypto verifier in the handler: HMAC, JSON.parse, exp/aud/iss. The floor of any guard. */
async function rawCrypto() {
  const server = createServer((req, res) => {
    const [h, p, s] = (bearer(req) ?? '').split('.');
    if (!s) return unauthorized(res);
    const expected = createHmac('sha256', SECRET).update(`${h}.${p}`).digest();
    const signature = Buffer.from(s, 'base64url');
    if (expected.length !== signature.length || !timingSafeEqual(expected, signature))
      return unauthorized(res);
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (payload.exp <= Date.now() / 1000 || payload.aud !== AUDIENCE || payload.iss !== ISSUER) {
      return unauthorized(res);
    }
    sendJson(res, 200, USER);
  });
  return { port: await listen(server), close: () => server.close() };
}

export const nodeServers = {
  ceiling,
  'org-node': orgNode,
  'org-verifier': orgVerifier,
  'fast-jwt': fastJwt,
  'raw-crypto': rawCrypto,
};
