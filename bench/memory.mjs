#!/usr/bin/env node
// The memory suite, run by run.mjs in a child `node --expose-gc bench/memory.mjs --tokens N`: heap
// before and after pushing N distinct tokens through AuthenticationService.authenticate with the JWT
// strategy's entity cache on and, when this build has it, TokenService's verifiedTokenCache. Prints one
// JSON line on stdout. A time cap stops early on a slow machine; the count reached is reported.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { quietly } from './e2e.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const TOKENS = option('--tokens', 1_000_000);
const CAP_MS = option('--cap', 180_000);
const USERS = 1000;
const SECRET = 'Zp4uQm8sVx2kLr7nBd3hTy6wJc9fGa1eHq5NvXo0iMbKt2WsYd7Ue4Rj9Pc1Lf6A';

const gc = globalThis.gc ?? (() => undefined);
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const core = await import('@org/core');
const jwt = await import('@org/strategy-jwt');
const { MemoryService } = await import('@org/adapter-memory');
const { hasVerifiedTokenCache } = await import('./micro/contenders.mjs');
const { keysFor } = await import('./micro/algorithms.mjs');

const verifiedTokenCache = await hasVerifiedTokenCache(jwt, 'HS256', keysFor('HS256'));
const users = new MemoryService({
  records: Array.from({ length: USERS }, (_, i) => ({ id: i + 1, email: `user${i + 1}@example.com` })),
});
const config = {
  secret: SECRET,
  service: 'users',
  authStrategies: ['jwt'],
  entityCache: { ttl: 3_600_000 },
};
const auth = new core.AuthenticationService(config, { services: { users } });
const tokens = new jwt.TokenService({
  secret: SECRET,
  ...(verifiedTokenCache && { verifiedTokenCache: true }),
});
auth.setTokenIssuer(tokens);
const strategy = new jwt.JWTStrategy();
auth.register('jwt', strategy);
await quietly('ORG_JWT_REVOCATION_IN_PROCESS', () => auth.setup());

// Tokens are minted inline (HMAC over our defaults' header and claims): minting is not what is measured.
const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'access' })).toString('base64url');
const iat = Math.floor(Date.now() / 1000);
function mint(i) {
  const claims = {
    iat,
    exp: iat + 3600,
    aud: 'https://yourdomain.com',
    iss: 'feathers',
    sub: String((i % USERS) + 1),
    jti: `bench-${i}`,
  };
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const before = heap();
const start = performance.now();
let pushed = 0;
for (; pushed < TOKENS; pushed++) {
  await auth.authenticate({ strategy: 'jwt', accessToken: mint(pushed) }, { provider: 'rest' }, 'jwt');
  if ((pushed & 0x3fff) === 0 && performance.now() - start > CAP_MS) break;
}
const seconds = (performance.now() - start) / 1000;
const after = heap();
const cacheSize = (cache) => (typeof cache?.size === 'number' ? cache.size : undefined);
// TokenService reports its cache as `verifiedTokenCacheStats` ({ size, bytes }) when it is on.
const tokenCache = tokens.verifiedTokenCacheStats;
process.stdout.write(
  `${JSON.stringify({
    tokens: pushed,
    requested: TOKENS,
    seconds,
    heapBefore: before,
    heapAfter: after,
    gc: globalThis.gc !== undefined,
    verifiedTokenCache,
    verifiedTokenCacheSize: cacheSize(tokenCache),
    verifiedTokenCacheBytes: tokenCache?.bytes,
    entityCacheSize: cacheSize(strategy.entityCache),
    entityCacheMax: strategy.entityCache?.max,
  })}\n`,
);
strategy.entityCache?.close();
