import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jwksFastifyPlugin } from './jwks-fastify.ts';
import { jwksHandler, jwksMiddleware } from './jwks-handler.ts';
import { FakeJwksSource } from './test-fake-source.ts';

let ec: JWK;
const servers: Server[] = [];

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  ec = { ...(await exportJWK(privateKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('jwksHandler (plain node:http)', () => {
  it('serves the set with its headers, 304, HEAD and 405 over a real socket', async () => {
    const source = new FakeJwksSource([ec], Date.now() + 120_500);
    const handler = jwksHandler(source, { maxAge: 3600 });
    const base = await listen(createServer(handler));
    const url = `${base}/.well-known/jwks.json`;

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=(119|120)$/);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: 'ec-1', alg: 'ES256', use: 'sig' }],
    });
    expect(text).not.toMatch(/"d"/);

    const cached = await fetch(url, { headers: { 'If-None-Match': `W/${etag}` } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    expect(await cached.text()).toBe('');

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(await head.text()).toBe('');

    const post = await fetch(url, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    handler.close();
    expect(source.listeners.size).toBe(0);
  });
});

describe('jwksMiddleware (Connect-style)', () => {
  it('serves its path, mounted or not, and passes anything else to next()', async () => {
    const mw = jwksMiddleware(new FakeJwksSource([ec]));
    const base = await listen(
      createServer((req, res) => {
        if (req.url?.startsWith('/mounted')) {
          // What Connect/Express do when mounting: strip the prefix, keep originalUrl.
          const originalUrl = req.url.replace('/mounted', '');
          Object.assign(req, { originalUrl, url: '/' });
        }
        mw(req, res, () => {
          res.writeHead(404).end('next');
        });
      }),
    );
    const direct = await fetch(`${base}/.well-known/jwks.json?x=1`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toBe('application/jwk-set+json');
    const mounted = await fetch(`${base}/mounted/.well-known/jwks.json`);
    expect(mounted.status).toBe(200);
    const other = await fetch(`${base}/other`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('next');
    mw.close();
  });
});

describe('jwksFastifyPlugin', () => {
  it('serves the set, 304, HEAD and 405 through Fastify', async () => {
    const source = new FakeJwksSource([ec]);
    const app = Fastify();
    await app.register(jwksFastifyPlugin, { source, maxAge: 60 });
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/jwk-set+json');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.json()).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: 'ec-1', alg: 'ES256', use: 'sig' }],
    });
    const etag = res.headers.etag as string;
    const cached = await app.inject({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': etag },
    });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    const head = await app.inject({ method: 'HEAD', url: '/.well-known/jwks.json' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(res.headers['content-length']);
    expect(head.body).toBe('');
    const del = await app.inject({ method: 'DELETE', url: '/.well-known/jwks.json' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD');
    await app.close();
    expect(source.listeners.size).toBe(0);
  });

  it('honours a custom path', async () => {
    const app = Fastify();
    await app.register(jwksFastifyPlugin, { source: new FakeJwksSource([ec]), path: '/keys' });
    expect((await app.inject({ method: 'GET', url: '/keys' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(404);
    await app.close();
  });
});
