import { createHash } from 'node:crypto';
import { BadRequest } from '@org/core';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { JwksEndpoint } from './jwks-endpoint.ts';
import { ifNoneMatchMatches } from './etag.ts';
import { FakeJwksSource } from './test-fake-source.ts';

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
let ec: JWK;
let rsa: JWK;
let ed: JWK;

beforeAll(async () => {
  const a = await generateKeyPair('ES256', { extractable: true });
  ec = { ...(await exportJWK(a.privateKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
  const b = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  rsa = { ...(await exportJWK(b.privateKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  const c = await generateKeyPair('EdDSA', { extractable: true });
  ed = { ...(await exportJWK(c.privateKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' };
});

describe('JwksEndpoint body', () => {
  it('serves only public members plus kid, alg and use, even from a source leaking private keys', () => {
    const leaky = { ...rsa, oth: [{ r: 'x', d: 'y', t: 'z' }], key_ops: ['sign'], x5c: ['AA'], extra: 'e' };
    const oct: JWK = { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', kid: 'hs', alg: 'HS256' };
    const source = new FakeJwksSource([ec, leaky as JWK, ed, oct]);
    const res = new JwksEndpoint(source).respond('GET');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: 'ec-1', alg: 'ES256', use: 'sig' },
      { kty: 'RSA', n: rsa.n, e: rsa.e, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { kty: 'OKP', crv: 'Ed25519', x: ed.x, kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
    ]);
    for (const name of PRIVATE) expect(res.body.toString()).not.toContain(`"${name}"`);
  });

  it('drops keys with unknown kty or missing public members', () => {
    const source = new FakeJwksSource([{ kty: 'XYZ', x: 'a' }, { kty: 'EC', crv: 'P-256', x: 'a' }, ec]);
    const body = JSON.parse(new JwksEndpoint(source).respond('GET').body.toString()) as { keys: JWK[] };
    expect(body.keys.map((k) => k.kid)).toEqual(['ec-1']);
  });

  it('computes the body once per change, not per request', () => {
    const source = new FakeJwksSource([ec]);
    const endpoint = new JwksEndpoint(source);
    for (let i = 0; i < 5; i++) endpoint.respond('GET');
    expect(source.reads).toBe(1);
    source.change([ec, ed]);
    expect(source.reads).toBe(2);
    for (let i = 0; i < 5; i++) endpoint.respond('GET');
    expect(source.reads).toBe(2);
    expect((JSON.parse(endpoint.respond('GET').body.toString()) as { keys: JWK[] }).keys).toHaveLength(2);
  });

  it('stops following the source after close()', () => {
    const source = new FakeJwksSource([ec]);
    const endpoint = new JwksEndpoint(source);
    endpoint.close();
    source.change([ed]);
    expect(source.reads).toBe(1);
    expect(source.listeners.size).toBe(0);
  });

  it('keeps serving the last good set when the source throws', () => {
    const source = new FakeJwksSource([ec]);
    const endpoint = new JwksEndpoint(source);
    const before = endpoint.respond('GET');
    source.jwks = () => {
      throw new Error('store down');
    };
    source.change([]);
    expect(endpoint.respond('GET')).toEqual(before);
  });

  it('answers 503 when it never had a set', () => {
    const source = new FakeJwksSource([]);
    source.jwks = () => {
      throw new Error('store down');
    };
    const res = new JwksEndpoint(source).respond('GET');
    expect(res.status).toBe(503);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(res.body.toString())).toMatchObject({ name: 'Unavailable', code: 503 });
  });
});

describe('JwksEndpoint headers', () => {
  it('sends the media type, a strong ETag (hash of the body) and the length', () => {
    const res = new JwksEndpoint(new FakeJwksSource([ec])).respond('GET');
    const etag = `"${createHash('sha256').update(res.body).digest('base64url')}"`;
    expect(res.headers).toEqual({
      'Content-Type': 'application/jwk-set+json',
      'Content-Length': String(res.body.length),
      'Cache-Control': 'public, max-age=3600',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('caps max-age by the setting and by the time left until the next change', () => {
    let now = 1_000_000;
    const source = new FakeJwksSource([ec], now + 7200_000);
    const endpoint = new JwksEndpoint(source, { maxAge: 600, clock: () => now });
    expect(endpoint.respond('GET').headers['Cache-Control']).toBe('public, max-age=600');
    now += 7200_000 - 300_500;
    expect(endpoint.respond('GET').headers['Cache-Control']).toBe('public, max-age=300');
    now += 299_000;
    expect(endpoint.respond('GET').headers['Cache-Control']).toBe('public, max-age=1');
    now += 600;
    expect(endpoint.respond('GET').headers['Cache-Control']).toBe('no-cache');
  });

  it('serves no-cache with maxAge 0', () => {
    const res = new JwksEndpoint(new FakeJwksSource([ec]), { maxAge: 0 }).respond('GET');
    expect(res.headers['Cache-Control']).toBe('no-cache');
  });

  it('re-reads the source once the announced change time has passed', () => {
    let now = 0;
    const source = new FakeJwksSource([ec], 10_000);
    const endpoint = new JwksEndpoint(source, { clock: () => now });
    const before = endpoint.respond('GET').headers.ETag;
    source.keys = [ec, ed];
    source.next = 20_000;
    now = 10_000;
    const res = endpoint.respond('GET');
    expect(source.reads).toBe(2);
    expect(res.headers.ETag).not.toBe(before);
    expect(res.headers['Cache-Control']).toBe('public, max-age=10');
  });

  it('asks a late source again at most once a second', () => {
    let now = 0;
    const source = new FakeJwksSource([ec], 5_000);
    const endpoint = new JwksEndpoint(source, { clock: () => now });
    now = 6_000;
    for (let i = 0; i < 10; i++) expect(endpoint.respond('GET').headers['Cache-Control']).toBe('no-cache');
    expect(source.reads).toBe(2);
    now = 7_000;
    endpoint.respond('GET');
    expect(source.reads).toBe(3);
  });

  it('answers HEAD with the GET headers and no body', () => {
    const endpoint = new JwksEndpoint(new FakeJwksSource([ec]));
    const get = endpoint.respond('GET');
    const head = endpoint.respond('HEAD');
    expect(head).toEqual({ status: 200, headers: get.headers, body: Buffer.alloc(0) });
  });

  it('answers 405 with Allow for other methods', () => {
    const endpoint = new JwksEndpoint(new FakeJwksSource([ec]));
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', undefined]) {
      expect(endpoint.respond(m)).toEqual({
        status: 405,
        headers: { Allow: 'GET, HEAD' },
        body: Buffer.alloc(0),
      });
    }
  });
});

describe('JwksEndpoint conditional requests', () => {
  it('answers 304 with ETag and Cache-Control and no body on a matching If-None-Match', () => {
    const endpoint = new JwksEndpoint(new FakeJwksSource([ec]));
    const etag = endpoint.respond('GET').headers.ETag!;
    expect(endpoint.respond('GET', etag)).toEqual({
      status: 304,
      headers: { ETag: etag, 'Cache-Control': 'public, max-age=3600' },
      body: Buffer.alloc(0),
    });
    expect(endpoint.respond('HEAD', etag).status).toBe(304);
  });

  it('matches lists, weak tags and *, and ignores other or malformed tags', () => {
    const endpoint = new JwksEndpoint(new FakeJwksSource([ec]));
    const etag = endpoint.etag!;
    expect(endpoint.respond('GET', `"a", W/${etag}`).status).toBe(304);
    expect(endpoint.respond('GET', `, "a" ,, ${etag}`).status).toBe(304);
    expect(endpoint.respond('GET', ['"a"', etag]).status).toBe(304);
    expect(endpoint.respond('GET', '*').status).toBe(304);
    expect(endpoint.respond('GET', '"a", "b"').status).toBe(200);
    expect(endpoint.respond('GET', etag.slice(1, -1)).status).toBe(200);
    expect(endpoint.respond('GET', `garbage ${etag}`).status).toBe(200);
    expect(endpoint.respond('GET', '').status).toBe(200);
  });

  it('stops matching the old ETag after a key change', () => {
    const source = new FakeJwksSource([ec]);
    const endpoint = new JwksEndpoint(source);
    const old = endpoint.etag!;
    source.change([ec, ed]);
    expect(endpoint.respond('GET', old).status).toBe(200);
  });

  it('parses If-None-Match per RFC 9110', () => {
    expect(ifNoneMatchMatches(undefined, '"x"')).toBe(false);
    expect(ifNoneMatchMatches(' * ', '"x"')).toBe(true);
    expect(ifNoneMatchMatches('W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatchMatches('"y",W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatchMatches('"x" "y"', '"y"')).toBe(false);
    expect(ifNoneMatchMatches('w/"x"', '"x"')).toBe(false);
  });
});

describe('JwksEndpoint configuration', () => {
  it('rejects a bad source or maxAge at construction', () => {
    const bad = () => new JwksEndpoint({} as never);
    expect(bad).toThrow(BadRequest);
    expect(bad).toThrow('JWKS source must have jwks(), nextChangeAt() and onChange()');
    for (const maxAge of [-1, 1.5, Number.NaN]) {
      expect(() => new JwksEndpoint(new FakeJwksSource([]), { maxAge })).toThrow(
        expect.objectContaining({
          reason: 'invalid-configuration',
          message: 'JWKS maxAge must be a whole number of seconds >= 0',
        }),
      );
    }
  });
});
