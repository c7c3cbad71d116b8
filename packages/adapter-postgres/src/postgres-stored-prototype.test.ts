import pg from 'pg';
import { prototypeFindings } from '@org/adapter-tests';
import { afterAll, expect, it } from 'vitest';
import { postgresAdapter } from './postgres-adapter.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const schema = uniqueSchema('org_adapter_proto');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

// Invariant 11 on the read side: a row written by hand (or before the keys were dropped) is read
// without them, so no copy of it ever inherits `isAdmin`.
it('a stored row with __proto__, constructor and prototype keys never supplies a prototype', async () => {
  const users = postgresAdapter({ pool, schema, table: 'users', uniqueFields: ['email'] });
  await users.start();
  await pool.query(`INSERT INTO "${schema}".users (data, u_email) VALUES ($1::jsonb, $2::jsonb)`, [
    '{"email":"eve@example.com","__proto__":{"isAdmin":true},"profile":{"constructor":{"x":1}},"roles":[{"prototype":{}}]}',
    '"eve@example.com"',
  ]);
  const [found] = await users.find({ query: { email: 'eve@example.com' } });
  const id = found!.id as number;
  for (const record of [found!, await users.get(id), await users.remove(id)]) {
    expect(prototypeFindings(record)).toEqual([]);
    expect(Object.assign({}, record).isAdmin).toBeUndefined();
    expect(record).toEqual({ id, email: 'eve@example.com', profile: {}, roles: [{}] });
  }
});
