import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotAuthenticated, Unavailable } from '@org/core';
import Keyv from 'keyv';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDenylist } from '../revocation/denylist.ts';
import { jwksHandler } from './jwks-handler.ts';
import type { RemoteVerifier } from './remote-verifier.ts';
import { createRemoteVerifier, type RemoteVerifierOptions } from './remote-verifier.ts';
import { JwksRefusedError } from './remote-key-set.ts';
import { FakeJwksSource } from './test-fake-source.ts';

const ISS = 'https://issuer.example.com';
const AUD = 'https://api.example.com';

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function makeKey(kid: string, alg = 'ES256'): Promise<TestKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' } };
}

async function sign(
  key: TestKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
) {
  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    sub: 'user-1',
    jti: crypto.randomUUID(),
    iss: ISS,
    aud: AUD,
    iat,
    exp: iat + 600,
    ...claims,
  };
  return new SignJWT(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>)
    .setProtectedHeader({ alg: key.jwk.alg!, kid: key.kid, typ: 'access', ...header })
    .sign(key.privateKey);
}

let k1: TestKey;
let k2: TestKey;
let source: FakeJwksSource;
let server: Server;
let base: string;
let hits: IncomingMessage[];
/** When set, answers instead of the JWKS handler. */
let override: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

beforeAll(async () => {
  [k1, k2] = await Promise.all([makeKey('k1'), makeKey('k2')]);
  source = new FakeJwksSource([k1.jwk]);
  const handler = jwksHandler(source, { maxAge: 600 });
  server = createServer((req, res) => {
    hits.push(req);
    if (override) override(req, res);
    else if (req.url === '/.well-known/jwks.json') handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** How far the verifier's clock runs ahead of the real one (tokens are signed on the real clock). */
let offset: number;
beforeEach(() => {
  hits = [];
  override = undefined;
  source.change([k1.jwk]);
  offset = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

function verifier(over: Partial<RemoteVerifierOptions> = {}): RemoteVerifier {
  return createRemoteVerifier({
    issuer: ISS,
    jwksUri: `${base}/.well-known/jwks.json`,
    audience: AUD,
    algorithms: ['ES256', 'EdDSA'],
    clock: () => Date.now() + offset,
    ...over,
  });
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ reason?: string; name?: string; message?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as never,
  );
}

function serve(status: number, body: string, headers: Record<string, string> = {}) {
  override = (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

describe('RemoteVerifier against our JWKS endpoint', () => {
  it('verifies a token of the issuer, with the same verdict as jose createRemoteJWKSet', async () => {
    const token = await sign(k1);
    const payload = await verifier().verifyAccessToken(token);
    const jose = await jwtVerify(token, createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)), {
      issuer: ISS,
      audience: AUD,
      algorithms: ['ES256', 'EdDSA'],
      typ: 'access',
    });
    expect(payload).toEqual(jose.payload);
    expect(payload).toMatchObject({ iss: ISS, aud: AUD, sub: 'user-1' });
  });

  it('gives the same verdicts as jose on bad tokens', async () => {
    const v = verifier();
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const good = await sign(k1);
    const cases: [string, string][] = [
      [`${good.slice(0, -3)}AAA`, 'invalid-signature'],
      [await sign(k1, { exp: Math.floor(Date.now() / 1000) - 60 }), 'token-expired'],
      [await sign(k1, { aud: 'https://elsewhere.example.com' }), 'claim-invalid'],
      [await sign(k1, {}, { typ: 'JWT' }), 'claim-invalid'],
    ];
    for (const [token, reason] of cases) {
      const ours = await failure(v.verifyAccessToken(token));
      expect(ours).toBeInstanceOf(NotAuthenticated);
      expect(ours.reason).toBe(reason);
      await expect(
        jwtVerify(token, jwks, { issuer: ISS, audience: AUD, algorithms: ['ES256'], typ: 'access' }),
      ).rejects.toThrow();
    }
  });

  it('refuses another issuer’s token before any key lookup or fetch', async () => {
    const v = verifier();
    const error = await failure(v.verifyAccessToken(await sign(k1, { iss: 'https://evil.example.com' })));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ reason: 'claim-invalid', message: 'Invalid "iss" claim' });
    expect(hits).toHaveLength(0);
    const missing = await failure(v.verifyAccessToken(await sign(k1, { iss: undefined })));
    expect(missing.reason).toBe('claim-invalid');
    expect(hits).toHaveLength(0);
  });

  it('refuses a malformed token without fetching', async () => {
    const error = await failure(verifier().verifyAccessToken('not.a.token'));
    expect(error).toMatchObject({ name: 'NotAuthenticated', reason: 'token-malformed' });
    expect(hits).toHaveLength(0);
  });

  it('coalesces concurrent fetches: one request for many cold verifications', async () => {
    const v = verifier();
    const token = await sign(k1);
    const results = await Promise.all(Array.from({ length: 20 }, () => v.verifyAccessToken(token)));
    expect(results).toHaveLength(20);
    expect(hits).toHaveLength(1);
  });

  it('refetches on an unknown kid, at most once per cooldown', async () => {
    const v = verifier({ cooldown: 30_000 });
    await v.verifyAccessToken(await sign(k1));
    expect(hits).toHaveLength(1);
    const k3 = await makeKey('k3');
    const unknown = await failure(v.verifyAccessToken(await sign(k3)));
    expect(unknown).toMatchObject({ reason: 'key-not-found' });
    expect(hits).toHaveLength(1); // still inside the cooldown after the first fetch

    offset += 30_000;
    source.change([k1.jwk, k2.jwk]);
    await v.verifyAccessToken(await sign(k2)); // new key published: found after one refetch
    expect(hits).toHaveLength(2);
    expect(v.kids).toEqual(['k1', 'k2']);

    offset += 1000;
    expect((await failure(v.verifyAccessToken(await sign(k3)))).reason).toBe('key-not-found');
    expect((await failure(v.verifyAccessToken(await sign(k3)))).reason).toBe('key-not-found');
    expect(hits).toHaveLength(2);
    offset += 30_000;
    expect((await failure(v.verifyAccessToken(await sign(k3)))).reason).toBe('key-not-found');
    expect(hits).toHaveLength(3);
  });

  it('honours Cache-Control max-age, revalidating with If-None-Match', async () => {
    const v = verifier();
    const token = await sign(k1, { exp: Math.floor(Date.now() / 1000) + 86_400 });
    await v.verifyAccessToken(token);
    offset += 599_000;
    await v.verifyAccessToken(token);
    expect(hits).toHaveLength(1);
    offset += 2000;
    await v.verifyAccessToken(token); // stale: revalidated first (304, same keys)
    expect(hits).toHaveLength(2);
    expect(hits[1]!.headers['if-none-match']).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    await v.verifyAccessToken(token);
    expect(hits).toHaveLength(2); // the 304 renewed the cache lifetime
  });

  it('bounds the cache lifetime by minCacheAge and maxCacheAge', async () => {
    serve(200, JSON.stringify({ keys: [k1.jwk].map(({ d: _d, ...pub }) => pub) }), {
      'cache-control': 'no-cache',
    });
    const v = verifier({ minCacheAge: 60 });
    const token = await sign(k1, { exp: Math.floor(Date.now() / 1000) + 86_400 });
    await v.verifyAccessToken(token);
    offset += 59_000;
    await v.verifyAccessToken(token);
    expect(hits).toHaveLength(1);

    serve(200, JSON.stringify({ keys: [k1.jwk].map(({ d: _d, ...pub }) => pub) }), {
      'cache-control': 'max-age=999999',
    });
    const capped = verifier({ maxCacheAge: 100, cooldown: 0 });
    hits = [];
    await capped.verifyAccessToken(token);
    offset += 99_000;
    await capped.verifyAccessToken(token);
    expect(hits).toHaveLength(1);
    offset += 2000;
    await capped.verifyAccessToken(token);
    expect(hits).toHaveLength(2);
  });

  it('keeps the last good set when the endpoint fails', async () => {
    const onError = vi.fn();
    const v = verifier({ onError, cooldown: 0 });
    const token = await sign(k1);
    await v.verifyAccessToken(token);
    serve(500, 'oops');
    await v.refresh();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'JWKS endpoint answered HTTP 500' }),
    );
    expect(await v.verifyAccessToken(token)).toMatchObject({ sub: 'user-1' });
    expect(v.kids).toEqual(['k1']);
  });

  it('answers Unavailable when no set was ever fetched, and respects the cooldown', async () => {
    serve(503, '');
    const v = verifier({ cooldown: 30_000 });
    const token = await sign(k1);
    const error = await failure(v.verifyAccessToken(token));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({
      reason: 'unavailable',
      message: 'Signing keys of the issuer are unavailable',
    });
    await failure(v.verifyAccessToken(token));
    expect(hits).toHaveLength(1);
  });
});

describe('RemoteVerifier refuses a bad set whole', () => {
  const pub = () => {
    const { d: _d, ...rest } = k1.jwk;
    return rest;
  };
  const cases: [string, () => string][] = [
    ['an oct key', () => JSON.stringify({ keys: [pub(), { kty: 'oct', k: 'AAAA', kid: 's' }] })],
    ['a private member', () => JSON.stringify({ keys: [k1.jwk] })],
    ['a private member on another key', () => JSON.stringify({ keys: [pub(), { ...k2.jwk }] })],
    ['duplicate kids', () => JSON.stringify({ keys: [pub(), { ...pub() }] })],
    ['use: enc', () => JSON.stringify({ keys: [pub(), { ...k2.jwk, d: undefined, use: 'enc' }] })],
    ['an unknown use', () => JSON.stringify({ keys: [{ ...pub(), use: 'signature' }] })],
    ['a use that is not a string', () => JSON.stringify({ keys: [{ ...pub(), use: ['sig'] }] })],
    ['key_ops as a string', () => JSON.stringify({ keys: [{ ...pub(), key_ops: 'verify' }] })],
    ['key_ops as an object', () => JSON.stringify({ keys: [{ ...pub(), key_ops: { 0: 'verify' } }] })],
    ['key_ops with a non-string', () => JSON.stringify({ keys: [{ ...pub(), key_ops: ['verify', 1] }] })],
    ['malformed JSON', () => JSON.stringify({ keys: [pub()] }).slice(0, -1)],
    [
      'duplicate member names',
      () => JSON.stringify({ keys: [pub()] }).replace('{"keys"', '{"keys":[],"keys"'),
    ],
    ['no keys array', () => JSON.stringify({ key: [pub()] })],
    ['a key that does not import', () => JSON.stringify({ keys: [{ ...pub(), x: 'AAAA' }] })],
  ];

  for (const [name, body] of cases) {
    it(`refuses a set with ${name}`, async () => {
      const onError = vi.fn();
      serve(200, body());
      const v = verifier({ onError });
      const error = await failure(v.verifyAccessToken(await sign(k1)));
      expect(error).toBeInstanceOf(Unavailable);
      expect(onError).toHaveBeenCalledWith(expect.any(JwksRefusedError));
      expect(v.kids).toEqual([]);
    });
  }

  it('keeps the previous set when a refreshed one is refused', async () => {
    const onError = vi.fn();
    const v = verifier({ onError, cooldown: 0 });
    const token = await sign(k1);
    await v.verifyAccessToken(token);
    serve(200, JSON.stringify({ keys: [k1.jwk] }));
    await v.refresh();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'JWKS key 0 has a private member' }),
    );
    expect(await v.verifyAccessToken(token)).toMatchObject({ sub: 'user-1' });
  });

  it('skips a key whose alg is outside the allow-list, and refuses tokens of that alg', async () => {
    const rsa = await makeKey('rsa', 'RS256');
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPub } = rsa.jwk;
    serve(200, JSON.stringify({ keys: [rsaPub] }));
    const v = verifier({ algorithms: ['ES256'] });
    const error = await failure(v.verifyAccessToken(await sign(rsa)));
    expect(error.reason).toBe('algorithm-not-allowed');
    const allowed = verifier({ algorithms: ['ES256', 'RS256'] });
    expect(await allowed.verifyAccessToken(await sign(rsa))).toMatchObject({ sub: 'user-1' });
  });
});

describe('RemoteVerifier transport limits', () => {
  const big = () =>
    JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'A', y: 'B', kid: 'x'.repeat(70_000) }] });

  it('refuses a response over the size limit (declared length)', async () => {
    const onError = vi.fn();
    serve(200, big());
    await failure(verifier({ onError }).verifyAccessToken(await sign(k1)));
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'JWKS response is larger than 65536 bytes' }),
    );
  });

  it('refuses a chunked response over the size limit while streaming', async () => {
    const onError = vi.fn();
    override = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(16_384);
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
    };
    await failure(verifier({ onError }).verifyAccessToken(await sign(k1)));
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'JWKS response is larger than 65536 bytes' }),
    );
  });

  it('times out a slow endpoint', async () => {
    const onError = vi.fn();
    override = () => {}; // never answers
    const error = await failure(verifier({ onError, timeout: 100 }).verifyAccessToken(await sign(k1)));
    expect(error).toBeInstanceOf(Unavailable);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'JWKS request timed out after 100 ms' }),
    );
  });

  it('does not follow redirects', async () => {
    const onError = vi.fn();
    override = (req, res) => {
      if (req.url === '/.well-known/jwks.json') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(200).end(JSON.stringify({ keys: [] }));
    };
    await failure(verifier({ onError }).verifyAccessToken(await sign(k1)));
    expect(hits.map((h) => h.url)).toEqual(['/.well-known/jwks.json']);
    expect(onError).toHaveBeenCalledTimes(1);
  });
});

describe('RemoteVerifier with revocation and configuration', () => {
  it('consults the denylist after verification', async () => {
    const denylist = createDenylist({ store: new Keyv() });
    const v = verifier({ revocation: denylist });
    const token = await sign(k1);
    const payload = await v.verifyAccessToken(token);
    await denylist.revoke(payload);
    const error = await failure(v.verifyAccessToken(token));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(error).toMatchObject({ reason: 'token-revoked', message: 'Token revoked' });
  });

  it('cannot sign', async () => {
    await expect(verifier().createAccessToken()).rejects.toMatchObject({ reason: 'invalid-configuration' });
  });

  it('validates its options at construction', () => {
    const base = {
      issuer: ISS,
      jwksUri: 'https://issuer.example.com/jwks',
      audience: AUD,
      algorithms: ['ES256'],
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ issuer: '' }, `'issuer' must be a non-empty string`],
      [{ jwksUri: 'jwks.json' }, `'jwksUri' must be an absolute URL`],
      [
        { jwksUri: 'http://issuer.example.com/jwks' },
        `'jwksUri' must use https: (http: is accepted on loopback hosts only)`,
      ],
      [{ algorithms: [] }, `'algorithms' must be a non-empty array`],
      [
        { algorithms: ['HS256'] },
        `'algorithms' lists HS256; a JWKS publishes no secrets, so HS* cannot verify here`,
      ],
      [{ audience: undefined }, `'audience' is required (null skips the audience check)`],
      [{ timeout: -1 }, `'timeout' must be a number >= 0`],
      [{ minCacheAge: 100, maxCacheAge: 10 }, `'minCacheAge' must not exceed 'maxCacheAge'`],
    ];
    for (const [over, message] of cases) {
      expect(() => createRemoteVerifier({ ...base, ...over } as never)).toThrow(
        expect.objectContaining({ name: 'BadRequest', reason: 'invalid-configuration', message }),
      );
    }
    expect(() =>
      createRemoteVerifier({ ...base, jwksUri: 'http://localhost:3000/jwks' } as never),
    ).not.toThrow();
  });
});
