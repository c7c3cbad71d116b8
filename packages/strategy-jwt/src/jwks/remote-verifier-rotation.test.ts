import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts';
import { keyvKeyStore } from '../keys/stores/keyv-key-store.ts';
import { TokenService } from '../token/token-service.ts';
import { jwksHandler } from './jwks-handler.ts';
import { createRemoteVerifier, type RemoteVerifier } from './remote-verifier.ts';

const ISS = 'https://issuer.example.com';
const AUD = 'https://api.example.com';
const MINUTE = 60_000;
const PERIOD = 60 * MINUTE;
const T0 = 500_000 * PERIOD + 17 * MINUTE;

let t = T0;
const now = () => t;
let ring: KeyRing;
let server: Server;
let url: string;
const requests: IncomingMessage[] = [];

beforeAll(async () => {
  ring = createKeyRing({
    kek: { secret: 'jwks-helper-rotation-kek-0123456789abcdef' },
    store: keyvKeyStore(),
    rotationPeriod: '1h',
    prePublication: '10m',
    cacheLifetime: '10m',
    maxTokenLifetime: '10m',
    clockTolerance: '1m',
    now,
  });
  await ring.start();
  const handler = jwksHandler(ring, { maxAge: 600, clock: now });
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await ring.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function joseVerdict(token: string): Promise<string> {
  const jwks = createRemoteJWKSet(new URL(url), { cacheMaxAge: 0, cooldownDuration: 0 });
  return jwtVerify(token, jwks, {
    issuer: ISS,
    audience: AUD,
    algorithms: ['ES256'],
    typ: 'access',
    clockTolerance: 60,
    currentDate: new Date(t),
  }).then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? 'error',
  );
}

async function ourVerdict(verifier: RemoteVerifier, token: string): Promise<string> {
  return verifier.verifyAccessToken(token).then(
    () => 'ok',
    (e: { reason?: string }) => e.reason ?? 'error',
  );
}

describe('RemoteVerifier across a key ring rotation, through a real JWKS endpoint', () => {
  it('verifies every live token without a kid-miss refetch, drops retired keys, and agrees with jose', async () => {
    const tokens = new TokenService({
      keyRing: ring,
      jwtOptions: { issuer: ISS, audience: AUD, expiresIn: '10m' },
      clock: now,
    });
    // No refetch on unknown kids: only Cache-Control (bounded by the next key change) and
    // pre-publication keep this verifier current.
    const verifier = createRemoteVerifier({
      issuer: ISS,
      jwksUri: url,
      audience: AUD,
      algorithms: ['ES256'],
      clockTolerance: 60,
      cooldown: Number.MAX_SAFE_INTEGER,
      minCacheAge: 0,
      maxCacheAge: 600,
      clock: now,
    });
    const issued: { token: string; kid: string; exp: number }[] = [];
    const signers = new Set<string>();
    for (; t < T0 + 4 * PERIOD; t += 5 * MINUTE) {
      await ring.refresh();
      const token = await tokens.createAccessToken({}, { subject: 'user-1' });
      const kid = (await ring.getSigningKey()).kid!;
      signers.add(kid);
      issued.push({ token, kid, exp: t + 10 * MINUTE });

      const res = await fetch(url);
      await res.arrayBuffer();
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1] ?? 0);
      const next = ring.nextChangeAt();
      if (next !== undefined) expect(maxAge * 1000).toBeLessThanOrEqual(next - t);
      expect(maxAge).toBeLessThanOrEqual(600);

      for (const { token: old, kid: oldKid, exp } of issued) {
        const verdict = await ourVerdict(verifier, old);
        if (exp + MINUTE > t) expect(verdict).toBe('ok');
        else expect(verdict).toBe(verifier.kids.includes(oldKid) ? 'token-expired' : 'key-not-found');
      }
      expect(await joseVerdict(token)).toBe('ok');
    }
    expect(signers.size).toBeGreaterThanOrEqual(4);

    // Long after retention, the first key is gone from the JWKS and from the verifier's set.
    const first = issued[0]!;
    const published = ring.jwks().keys.map((k) => k.kid);
    expect(published).not.toContain(first.kid);
    expect(verifier.kids).not.toContain(first.kid);
    expect(await joseVerdict(first.token)).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(await ourVerdict(verifier, first.token)).toBe('key-not-found');
  });
});
