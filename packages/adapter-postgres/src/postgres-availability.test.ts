import pg from 'pg';
import { Unavailable } from '@org/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from './postgres-adapter.ts';
import { isUnavailable, toStoreError } from './postgres-errors.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';
import { TcpProxy } from './test-proxy.ts';

const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const schema = uniqueSchema('org_adapter_availability');
const target = (() => {
  const url = new URL(DATABASE_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    user: url.username,
  };
})();

let proxy: TcpProxy;
let pool: pg.Pool;
let n = 0;

beforeAll(async () => {
  await admin.query('SELECT 1'); // fail (not skip) when PostgreSQL is missing
});
afterAll(async () => {
  await dropSchema(admin, schema);
  await admin.end();
});
afterEach(async () => {
  await pool?.end().catch(() => undefined);
  await proxy?.cut();
});

async function throughProxy(options: Partial<pg.PoolConfig> = {}) {
  proxy = new TcpProxy(target);
  await proxy.listen();
  pool = new pg.Pool({
    host: '127.0.0.1',
    port: proxy.port,
    database: target.database,
    user: target.user,
    max: 4,
    connectionTimeoutMillis: 1000,
    ...options,
  });
  return postgresAdapter({ pool, schema, table: `users_${++n}`, uniqueFields: ['email'] });
}

async function expectUnavailable(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Unavailable);
  expect(error).toMatchObject({
    code: 503,
    reason: 'store-unavailable',
    message: 'The PostgreSQL database is unavailable',
  });
}

describe('postgresAdapter: a database that is down, then back', () => {
  it('every method gives 503 while it is down, and works again once it is back', async () => {
    const users = await throughProxy();
    const ada = await users.create({ email: 'ada@example.com' });

    await proxy.cut();
    await expectUnavailable(users.get(ada.id));
    await expectUnavailable(users.find({ query: { email: 'ada@example.com' } }));
    await expectUnavailable(users.create({ email: 'bob@example.com' }));
    await expectUnavailable(users.patch(ada.id, { name: 'Ada' }));
    await expectUnavailable(users.remove(ada.id));

    await proxy.restore();
    expect(await users.get(String(ada.id))).toEqual(ada);
    const bob = await users.create({ email: 'bob@example.com' });
    expect(await users.find()).toEqual([ada, bob]);
  });

  it('a start while the database is down gives 503 and is retried once it is back', async () => {
    const users = await throughProxy();
    await proxy.cut();
    await expectUnavailable(users.start());
    await expectUnavailable(users.find());
    await proxy.restore();
    await users.start();
    expect(await users.find()).toEqual([]);
  });

  it('connections cut in the middle of a query give 503, not a crash', async () => {
    const users = await throughProxy();
    await users.start();
    const calls = Array.from({ length: 8 }, (_, i) => users.create({ email: `u${i}@example.com` }));
    await proxy.cut();
    const settled = await Promise.allSettled(calls);
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const outcome of settled) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(Unavailable);
    }
    await proxy.restore();
    expect((await users.find()).length).toBe(settled.filter((s) => s.status === 'fulfilled').length);
  });

  it('a server that accepts but never answers gives 503 after the connection timeout', async () => {
    const users = await throughProxy({ connectionTimeoutMillis: 150 });
    proxy.hang(true);
    await expectUnavailable(users.find());
    proxy.hang(false);
    expect(await users.find()).toEqual([]);
  });

  it('a backend terminated by the administrator (57P01) is replaced: the next calls work', async () => {
    const users = await throughProxy({ max: 1 });
    await users.create({ email: 'ada@example.com' });
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    // The idle client learns of the termination asynchronously: the call either runs on a fresh
    // connection or reports 503; never a 500, never an unhandled 'error' event.
    const first = await users.find().catch((e: unknown) => e);
    if (!Array.isArray(first)) expect(first).toBeInstanceOf(Unavailable);
    expect(await users.find()).toHaveLength(1);
  });
});

describe('postgres error mapping', () => {
  it('maps connection failures to Unavailable and leaves statement errors alone', () => {
    for (const error of [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      Object.assign(new Error('too many connections'), { code: '53300' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(isUnavailable(error)).toBe(true);
      expect(toStoreError(error, () => 'id')).toBeInstanceOf(Unavailable);
    }
    const syntax = toStoreError(Object.assign(new Error('syntax error'), { code: '42601' }), () => 'id');
    expect(syntax).toMatchObject({ name: 'GeneralError', code: 500, message: 'General error' });
  });

  it('maps a unique violation to Conflict naming the field, never the value', () => {
    const error = toStoreError(
      Object.assign(new Error('duplicate key value violates unique constraint'), {
        code: '23505',
        constraint: 'users_u_email',
        detail: 'Key (u_email)=("ada@example.com") already exists.',
      }),
      (constraint) => (constraint === 'users_u_email' ? 'email' : 'id'),
    );
    expect(error).toMatchObject({
      name: 'Conflict',
      code: 409,
      message: 'A record with this email already exists',
    });
  });
});
