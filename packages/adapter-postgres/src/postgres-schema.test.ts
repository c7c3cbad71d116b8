import pg from 'pg';
import { BadRequest, Conflict, GeneralError } from '@org/core';

// A failed start reaches clients as the generic 500; the detail is only in the (server-side) cause.
function expectGeneric(error: unknown, detail: string): void {
  expect(error).toBeInstanceOf(GeneralError);
  expect((error as GeneralError).toJSON()).toEqual({
    name: 'GeneralError',
    message: 'General error',
    code: 500,
    className: 'general-error',
    data: { reason: 'general-error' },
  });
  expect(((error as GeneralError).cause as Error).message).toBe(detail);
}
import { afterAll, describe, expect, it, vi } from 'vitest';
import { postgresAdapter } from './postgres-adapter.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const schema = uniqueSchema('org_adapter_schema');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});
let n = 0;
const table = () => `t_${++n}`;

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('postgresAdapter: options', () => {
  it('rejects unknown options with a did-you-mean hint', () => {
    const error = thrown(() => postgresAdapter({ pool, table: 'users', uniquefields: ['email'] } as any));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.reason).toBe('invalid-configuration');
    expect(error.message).toContain('unknown option "uniquefields" (did you mean "uniqueFields"?)');
  });

  it('needs exactly one of pool and connectionString', () => {
    expect(() => postgresAdapter({ table: 'users' })).toThrow(
      'postgresAdapter: give exactly one of `pool` and `connectionString`',
    );
    expect(() => postgresAdapter({ pool, connectionString: DATABASE_URL, table: 'users' })).toThrow(
      'exactly one',
    );
    expect(() => postgresAdapter({ pool: {} as any, table: 'users' })).toThrow('`pool` must be a pg Pool');
  });

  it('accepts only whitelisted identifiers', () => {
    expect(() => postgresAdapter({ pool, table: 'users"; DROP TABLE x; --' })).toThrow('`table` must match');
    expect(() => postgresAdapter({ pool, table: 'users', schema: 'a.b' })).toThrow('`schema` must match');
    expect(() => postgresAdapter({ pool, table: '_org_entity_schema' })).toThrow('`table` must match');
    expect(() => postgresAdapter({ pool, table: 't', uniqueFields: ["e'mail"] })).toThrow(
      '`uniqueFields` must be',
    );
    expect(() => postgresAdapter({ pool, table: 't', id: 'my id' })).toThrow('`id` must be a field name');
    expect(() => postgresAdapter({ pool, table: 't', idType: 'uuid' as any })).toThrow('`idType` must be');
  });
});

describe('postgresAdapter: schema versions and migrations', () => {
  it('creates the schema, the table and the version row on start, once', async () => {
    const name = table();
    const users = postgresAdapter({ pool, schema, table: name });
    await Promise.all([users.start(), users.start()]);
    const { rows } = await pool.query(
      `SELECT table_name, version FROM "${schema}"._org_entity_schema WHERE table_name = $1`,
      [name],
    );
    expect(rows).toEqual([{ table_name: name, version: 1 }]);
  });

  it('N instances starting at once migrate safely (advisory lock)', async () => {
    const name = table();
    const instances = Array.from({ length: 5 }, () =>
      postgresAdapter({ pool, schema, table: name, uniqueFields: ['email'] }),
    );
    await Promise.all(instances.map((i) => i.start()));
    await instances[0]!.create({ email: 'a@example.com' });
    await expect(instances[3]!.create({ email: 'a@example.com' })).rejects.toBeInstanceOf(Conflict);
  });

  it('adding a unique field backfills existing rows and enforces it', async () => {
    const name = table();
    const before = postgresAdapter({ pool, schema, table: name });
    await before.create({ email: 'ada@example.com' });
    const after = postgresAdapter({ pool, schema, table: name, uniqueFields: ['email'] });
    await expect(after.create({ email: 'ada@example.com' })).rejects.toMatchObject({
      code: 409,
      message: 'A record with this email already exists',
    });
    expect(await after.find({ query: { email: 'ada@example.com' } })).toEqual([
      { id: 1, email: 'ada@example.com' },
    ]);
  });

  it('adding a unique field over duplicate data fails the start clearly and changes nothing', async () => {
    const name = table();
    const before = postgresAdapter({ pool, schema, table: name });
    await before.create({ email: 'ada@example.com' });
    await before.create({ email: 'ada@example.com' });
    const after = postgresAdapter({ pool, schema, table: name, uniqueFields: ['email'] });
    const error = await after.start().catch((e: unknown) => e);
    expectGeneric(
      error,
      `Cannot add a unique field to ${schema}.${name}: existing records hold duplicate values`,
    );
    expect(await before.find()).toHaveLength(2);
  });

  it('removing a unique field stops enforcing it', async () => {
    const name = table();
    await postgresAdapter({ pool, schema, table: name, uniqueFields: ['email'] }).start();
    const users = postgresAdapter({ pool, schema, table: name });
    await users.create({ email: 'a@example.com' });
    await users.create({ email: 'a@example.com' });
    expect(await users.find({ query: { email: 'a@example.com' } })).toHaveLength(2);
  });

  it('a table written by a newer adapter version fails the start', async () => {
    const name = table();
    await postgresAdapter({ pool, schema, table: name }).start();
    await pool.query(`UPDATE "${schema}"._org_entity_schema SET version = 99 WHERE table_name = $1`, [name]);
    const error = await postgresAdapter({ pool, schema, table: name })
      .start()
      .catch((e: unknown) => e);
    expectGeneric(
      error,
      `Cannot create or migrate ${schema}.${name}: table "${name}" has schema version 99, newer than this adapter's 1`,
    );
  });

  // Attack catalogue, class "error text leaks": the audit's case is a table that exists without a version
  // row, whose CREATE TABLE fails with the database's "relation ... already exists".
  it('a failed migration answers clients with the generic 500, logs the database text once, and keeps it as the cause', async () => {
    const name = table();
    await pool.query(`CREATE TABLE "${schema}"."${name}" (id bigint PRIMARY KEY, data jsonb NOT NULL)`);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const users = postgresAdapter({ pool, schema, table: name });
      const errors = [
        await users.create({ email: 'a@example.com' }).catch((e: unknown) => e),
        await users.find({ query: { email: 'a@example.com' } }).catch((e: unknown) => e),
        await users.start().catch((e: unknown) => e),
      ];
      for (const error of errors) {
        expectGeneric(error, `Cannot create or migrate ${schema}.${name}: relation "${name}" already exists`);
      }
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        `Cannot create or migrate ${schema}.${name}: relation "${name}" already exists`,
        { code: 'ORG_POSTGRES_MIGRATION_FAILED' },
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe('postgresAdapter: values stay values', () => {
  it('a field value that looks like SQL is stored and matched literally', async () => {
    const users = postgresAdapter({ pool, schema, table: table(), uniqueFields: ['email'] });
    const evil = `x'); DROP TABLE users; --`;
    const created = await users.create({ email: evil, name: evil });
    expect(await users.find({ query: { name: evil } })).toEqual([created]);
    expect(await users.find({ query: { email: evil } })).toEqual([created]);
  });

  it('an explicit numeric id moves the sequence past it', async () => {
    const users = postgresAdapter({ pool, schema, table: table() });
    await users.create({ id: 3, name: 'three' });
    const next = await users.create({ name: 'next' });
    expect(next.id).toBeGreaterThan(3);
  });

  it('a connectionString adapter owns its pool and close() ends it', async () => {
    const users = postgresAdapter({ connectionString: DATABASE_URL, schema, table: table() });
    expect(await users.find()).toEqual([]);
    await users.close();
    await users.close();
    await expect(users.find()).rejects.toMatchObject({ code: 503, reason: 'store-unavailable' });
  });
});
