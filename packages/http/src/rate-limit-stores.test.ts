import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import { BadRequest, type AuthenticationService } from '@org/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHandler } from './fetch-handler.ts';
import { postgresRateLimitStore } from './postgres-rate-limit-store.ts';
import type { RateLimitStore } from './rate-limit-store.ts';
import { redisRateLimitStore } from './redis-rate-limit-store.ts';
import { createHttpTransport, type HttpTransport } from './transport.ts';
import { PASSWORD, createTestAuth } from './test-app.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomUUID().slice(0, 8);
const table = `org_login_limits_${run}`;

let auth: AuthenticationService;
const pool = new pg.Pool({
  host: process.env.PGHOST ?? '127.0.0.1',
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
});
const ioredis = new Redis(REDIS_URL);
const nodeRedis = createClient({ url: REDIS_URL });
const opened: HttpTransport[] = [];

beforeAll(async () => {
  ({ auth } = await createTestAuth());
  await nodeRedis.connect();
  if (ioredis.status !== 'ready') await new Promise((resolve) => ioredis.once('ready', resolve));
});
afterAll(async () => {
  await Promise.all(opened.map((transport) => transport.close()));
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
  ioredis.disconnect();
  await nodeRedis.close();
});

/** Two instances of one application sharing a store, as two processes behind a load balancer. */
async function instances(store: () => RateLimitStore, keyPrefix: string) {
  const make = async (address: string) => {
    const transport = createHttpTransport(auth, {
      rateLimit: { store: store(), keyPrefix, account: { points: 2, blockDuration: 30 }, address: false },
    });
    opened.push(transport);
    await transport.ready();
    const handle = fetchHandler(transport);
    return (password: string) =>
      handle(
        new Request('http://app.example/authentication', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ strategy: 'local', email: 'ada@example.com', password }),
        }),
        { remoteAddress: address },
      );
  };
  return Promise.all([make('192.0.2.1'), make('192.0.2.2')]);
}

const stores: Array<[string, () => RateLimitStore]> = [
  ['Redis through an ioredis client', () => redisRateLimitStore({ client: ioredis })],
  ['Redis through a node-redis client', () => redisRateLimitStore({ client: nodeRedis })],
  ['Redis through a URL', () => redisRateLimitStore({ url: REDIS_URL })],
  ['Postgres through a pg pool', () => postgresRateLimitStore({ pool, tableName: table })],
];

describe.each(stores)('a shared rate limit store: %s', (_name, store) => {
  it('counts the failures of every instance together, and blocks on all of them', async () => {
    const [a, b] = await instances(store, `t${run}_${randomUUID().slice(0, 6)}`);
    expect((await a('wrong')).status).toBe(401);
    expect((await b('wrong')).status).toBe(401);
    const third = await a('wrong');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('30');
    const other = await b(PASSWORD);
    expect(other.status).toBe(429);
    expect(Number(other.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
  });

  it('resets the account on a successful login on any instance', async () => {
    const [a, b] = await instances(store, `t${run}_${randomUUID().slice(0, 6)}`);
    expect((await a('wrong')).status).toBe(401);
    expect((await a('wrong')).status).toBe(401);
    expect((await b(PASSWORD)).status).toBe(201);
    expect((await a('wrong')).status).toBe(401);
    expect((await b('wrong')).status).toBe(401);
  });
});

describe('a shared store that is down', () => {
  it('counts in memory meanwhile (Redis): logins keep working and failures are still limited', async () => {
    const offline = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    offline.on('error', () => undefined);
    const transport = createHttpTransport(auth, {
      rateLimit: { store: redisRateLimitStore({ client: offline }), account: { points: 1 }, address: false },
    });
    await transport.ready();
    const handle = fetchHandler(transport);
    const attempt = (password: string) =>
      handle(
        new Request('http://app.example/authentication', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ strategy: 'local', email: 'ada@example.com', password }),
        }),
      );
    expect((await attempt(PASSWORD)).status).toBe(201);
    expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt('wrong')).status).toBe(429);
    expect(offline.status).not.toBe('ready');
  });

  // Where two CREATE TABLE IF NOT EXISTS cross decides which error the loser sees.
  for (const [code, message] of [
    ['42P07', 'relation "t" already exists'],
    ['23505', 'duplicate key value violates unique constraint "pg_type_typname_nsp_index"'],
    ['42710', 'type "t" already exists'],
  ]) {
    it(`takes the table another instance created in the same instant (Postgres ${code})`, async () => {
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${table} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      );
      const racing = {
        query: (query: { text: string }) =>
          query.text.includes('CREATE TABLE')
            ? Promise.reject(Object.assign(new Error(message), { code }))
            : pool.query(query),
      };
      const limiter = await postgresRateLimitStore({ pool: racing, tableName: table }).limiter({
        keyPrefix: `race_${code}_${run}`,
        points: 1,
        duration: 60,
        blockDuration: 0,
      });
      await expect(limiter.consume('k')).resolves.toMatchObject({ consumedPoints: 1 });
      await expect(limiter.consume('k')).rejects.toMatchObject({ consumedPoints: 2 });
    });
  }

  it('fails ready() for Postgres when the table cannot be created', async () => {
    const broken = { query: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) };
    const transport = createHttpTransport(auth, {
      rateLimit: { store: postgresRateLimitStore({ pool: broken }) },
    });
    await expect(transport.ready()).rejects.toThrow('ECONNREFUSED');
  });
});

describe('store options', () => {
  const invalid: Array<[string, () => unknown, string]> = [
    [
      'Redis without client or url',
      () => redisRateLimitStore({}),
      'needs exactly one of { client } and { url }',
    ],
    ['Redis with both', () => redisRateLimitStore({ client: ioredis, url: REDIS_URL }), 'exactly one'],
    [
      'a Redis URL of another scheme',
      () => redisRateLimitStore({ url: 'http://x' }),
      'must start with redis://',
    ],
    ['Postgres without a pool', () => postgresRateLimitStore({} as never), 'needs { pool }'],
    ['a bad table name', () => postgresRateLimitStore({ pool, tableName: 'x; drop' }), 'tableName must be'],
    [
      'an unknown option',
      () => postgresRateLimitStore({ pool, table: 'x' } as never),
      'unknown option "table"',
    ],
  ];
  for (const [label, create, message] of invalid) {
    it(`refuses ${label}`, () => {
      expect(create).toThrow(BadRequest);
      expect(create).toThrow(message);
    });
  }
});
