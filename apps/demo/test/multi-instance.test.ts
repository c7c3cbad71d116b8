// Three demo processes sharing one deployment: users and messages in Postgres, and the key ring, the
// denylist and the failed-login counters in Redis (or, without Redis, in Postgres). A token from one
// works on the others, a message posted on one reaches sockets on all, a logout on one is refused by all, and a key rotation every few seconds while
// requests flow fails no valid request and lets no revoked token through.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './child-server.ts';
import { TestSocket } from './socket-client.ts';
import { freePort, uniqueEmail } from './support.ts';

const DATABASE_URL = `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/${process.env.PGDATABASE ?? 'test'}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'correct horse battery';

// A key every 4 s, published 2 s before it signs; 30 s tokens; every instance re-reads the store each second.
const FAST_SCHEDULE = {
  authentication: {
    jwtOptions: { expiresIn: '30s' },
    keyRing: {
      rotationPeriod: '4s',
      prePublication: '2s',
      cacheLifetime: '1s',
      refreshInterval: '1s',
      unknownKidCooldown: '1s',
      maxTokenLifetime: '30s',
      clockTolerance: '1s',
    },
  },
};

type Json = Record<string, any>;

async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const login = async (base: string, email: string) =>
  call(base, 'POST', '/authentication', undefined, { strategy: 'local', email, password: PASSWORD });

const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

describe.each([
  ['Redis', true],
  ['Postgres', false],
])('three instances sharing keys, revocations and limits through %s', (_name, withRedis) => {
  const namespace = `demo_mi_${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'org-demo-mi-'));
  let servers: ChildServer[] = [];

  beforeAll(async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const env = {
      DATABASE_URL,
      ...(withRedis ? { REDIS_URL } : {}),
      DEMO_NAMESPACE: namespace,
      AUTH_KEK: randomBytes(32).toString('base64url'),
      PUBLIC_URL: 'http://127.0.0.1:3030', // one issuer for the deployment, whatever port answers
      DATA_DIR: dataDir,
      NODE_CONFIG: JSON.stringify(FAST_SCHEDULE),
    };
    // The first creates the schema and the first keys; the others start together against it.
    servers = [await startChildServer(ports[0]!, env)];
    servers.push(...(await Promise.all(ports.slice(1).map((port) => startChildServer(port, env)))));
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all(servers.map((server) => server.stop()));
    expect(codes).toEqual(servers.map(() => 0)); // each closed its stores and exited cleanly
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    await pool.query(`DROP SCHEMA IF EXISTS ${namespace} CASCADE`);
    await pool.end();
    if (withRedis) {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`*${namespace}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('accepts a token from one instance on every other', async () => {
    const [a, b, c] = servers.map((server) => server.base) as [string, string, string];
    const email = uniqueEmail('multi');
    expect((await call(a, 'POST', '/users', undefined, { email, password: PASSWORD })).status).toBe(201);
    const { status, body } = await login(b, email);
    expect(status).toBe(201);
    for (const base of [a, b, c]) {
      const me = await call(base, 'GET', '/users/me', body.accessToken);
      expect(me).toMatchObject({ status: 200, body: { email } });
    }
    // A message written through one instance is read through another, and pushed live to sockets on all.
    const sockets = await Promise.all(
      [a, b].map((base) =>
        TestSocket.open(`${base.replace('http', 'ws')}/ws`, { authorization: `Bearer ${body.accessToken}` }),
      ),
    );
    try {
      for (const socket of sockets) await socket.next('authenticated');
      const message = await call(c, 'POST', '/messages', body.accessToken, { text: 'from c' });
      expect((await call(a, 'GET', `/messages/${message.body.id}`, body.accessToken)).body).toEqual(
        message.body,
      );
      for (const socket of sockets) {
        expect((await socket.next('message-created')).message).toEqual(message.body);
        await socket.sync();
        expect(socket.all('message-created')).toEqual([]); // once, not once per instance
      }
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });

  it('refuses on every instance a token logged out on one', async () => {
    const [a, b, c] = servers.map((server) => server.base) as [string, string, string];
    const email = uniqueEmail('logout');
    await call(a, 'POST', '/users', undefined, { email, password: PASSWORD });
    const { body } = await login(a, email);
    for (const base of [a, b, c])
      expect((await call(base, 'GET', '/users/me', body.accessToken)).status).toBe(200);
    expect((await call(c, 'DELETE', '/authentication', body.accessToken)).status).toBe(200);
    for (const base of [a, b, c]) {
      const me = await call(base, 'GET', '/users/me', body.accessToken);
      expect(me).toMatchObject({ status: 401, body: { data: { reason: 'token-revoked' } } });
    }
  });

  it('counts failed logins across instances', async () => {
    const bases = servers.map((server) => server.base);
    const email = uniqueEmail('limits');
    await call(bases[0]!, 'POST', '/users', undefined, { email, password: PASSWORD });
    // Ten failures (the bound) spread over the three, then the eleventh goes over it.
    for (let attempt = 0; attempt < 11; attempt++) {
      const base = bases[attempt % 3]!;
      const failed = await call(base, 'POST', '/authentication', undefined, {
        strategy: 'local',
        email,
        password: 'wrong password',
      });
      expect(failed.status).toBe(attempt < 10 ? 401 : 429);
    }
    for (const base of bases) expect((await login(base, email)).status).toBe(429);
  });

  it('rotates keys every few seconds while requests flow: no valid token refused, no revoked one accepted', async () => {
    const bases = servers.map((server) => server.base);
    const email = uniqueEmail('rotation');
    await call(bases[0]!, 'POST', '/users', undefined, { email, password: PASSWORD });

    const kids = new Set<string>();
    const failures: string[] = [];
    const revoked: string[] = [];
    const live: string[] = [];
    // Three rotation periods of traffic: log in on each instance in turn, use every live token on every
    // instance, and now and then log one out and check that every instance refuses it from then on.
    const until = Date.now() + 12_000;
    for (let round = 0; Date.now() < until || revoked.length < 3; round++) {
      const origin = bases[round % 3]!;
      const { status, body } = await login(origin, email);
      if (status !== 201) {
        failures.push(`login on ${origin}: ${status} ${JSON.stringify(body)}`);
        continue;
      }
      kids.add(kidOf(body.accessToken));
      live.push(body.accessToken);
      if (live.length > 4) live.shift();
      if (round % 4 === 3) {
        const token = live.shift()!;
        const logout = await call(bases[(round + 1) % 3]!, 'DELETE', '/authentication', token);
        if (logout.status !== 200) failures.push(`logout: ${logout.status} ${JSON.stringify(logout.body)}`);
        revoked.push(token);
      }
      for (const base of bases) {
        for (const token of live) {
          const me = await call(base, 'GET', '/users/me', token);
          if (me.status !== 200)
            failures.push(
              `valid token (kid ${kidOf(token)}) on ${base}: ${me.status} ${JSON.stringify(me.body)}`,
            );
        }
        for (const token of revoked) {
          const me = await call(base, 'GET', '/users/me', token);
          if (me.status !== 401 || me.body.data?.reason !== 'token-revoked') {
            failures.push(`revoked token on ${base}: ${me.status} ${JSON.stringify(me.body)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(revoked.length).toBeGreaterThanOrEqual(3);
    // Three periods of 4 s cross at least two slot boundaries: tokens were signed by several keys.
    expect(kids.size).toBeGreaterThanOrEqual(2);
    // Every instance publishes the key signing now.
    const jwks = await Promise.all(bases.map((base) => call(base, 'GET', '/.well-known/jwks.json')));
    const { body } = await login(bases[0]!, email);
    for (const set of jwks)
      expect(set.body.keys.map((key: Json) => key.kid)).toContain(kidOf(body.accessToken));
  });
});
