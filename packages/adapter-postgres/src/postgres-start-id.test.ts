import pg from 'pg';
import { BadRequest } from '@org/core';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from './postgres-adapter.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './test-db.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
const schema = uniqueSchema('org_adapter_start_id');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});
let n = 0;
const table = () => `t_${++n}`;

async function started(options: { table: string; startId?: number }) {
  const service = postgresAdapter({ pool, schema, ...options });
  await service.start();
  return service;
}

// The behaviour every adapter shares (first id, floor, 2^53 - 1) is in the conformance suite; these are
// what only a table that outlives the process has: restarting with rows, with another startId.
describe('postgresAdapter: startId on a table that already exists', () => {
  it('a table with rows above startId keeps generating after its highest id', async () => {
    const name = table();
    const first = await started({ table: name });
    for (let i = 0; i < 3; i++) await first.create({ n: i });
    await first.create({ id: 40, n: 'chosen' });
    const restarted = await started({ table: name, startId: 10 });
    expect((await restarted.create({ n: 'next' })).id).toBe(41);
  });

  it('raising startId moves generation up at the next start; lowering it never moves it down', async () => {
    const name = table();
    const first = await started({ table: name, startId: 100 });
    expect((await first.create({ n: 1 })).id).toBe(100);
    const raised = await started({ table: name, startId: 5000 });
    expect((await raised.create({ n: 2 })).id).toBe(5000);
    const lowered = await started({ table: name, startId: 1 });
    expect((await lowered.create({ n: 3 })).id).toBe(5001);
  });

  it('ids of removed records are not generated again, even after an explicit id below them', async () => {
    const name = table();
    const service = await started({ table: name, startId: 7 });
    const a = await service.create({ n: 1 });
    const b = await service.create({ n: 2 });
    expect([a.id, b.id]).toEqual([7, 8]);
    await service.remove(b.id);
    await service.create({ id: 3, n: 'chosen' });
    expect((await service.create({ n: 3 })).id).toBe(9);
    const restarted = await started({ table: name, startId: 7 });
    expect((await restarted.create({ n: 4 })).id).toBe(10);
  });

  it('a string-id table in the same schema is untouched by the number-id start', async () => {
    const service = postgresAdapter({ pool, schema, table: table(), idType: 'string' });
    await service.start();
    expect(typeof (await service.create({ n: 1 })).id).toBe('string');
  });
});

describe('postgresAdapter: startId validation', () => {
  it.each([0, -5, 1.5, Number.MAX_SAFE_INTEGER + 1, '10', null])('refuses startId %o', (startId) => {
    const attempt = () => postgresAdapter({ pool, table: 'users', startId: startId as any });
    expect(attempt).toThrow(BadRequest);
    expect(attempt).toThrow('postgresAdapter: `startId` must be a safe integer of at least 1');
  });

  it('refuses startId with string ids rather than ignoring it', () => {
    expect(() => postgresAdapter({ pool, table: 'users', idType: 'string', startId: 10 })).toThrow(
      'postgresAdapter: `startId` applies to number ids only (`idType` is "string")',
    );
  });

  it('a misspelt startId gets a did-you-mean hint', () => {
    expect(() => postgresAdapter({ pool, table: 'users', start_id: 10 } as any)).toThrow(
      'unknown option "start_id" (did you mean "startId"?)',
    );
  });
});
