import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequest } from '@org/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteAdapter } from './sqlite-adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'org-adapter-sqlite-start-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${++n}.db`);

// The behaviour every adapter shares (first id, floor, 2^53 - 1) is in the conformance suite; these are
// what only a table that outlives the process has: reopening with rows, with another startId.
describe('sqliteAdapter: startId on a table that already exists', () => {
  it('a table with rows above startId keeps generating after its highest id', async () => {
    const filename = file();
    const first = sqliteAdapter({ filename, table: 'users' });
    for (let i = 0; i < 3; i++) await first.create({ n: i });
    await first.create({ id: 40, n: 'chosen' });
    first.close();
    const reopened = sqliteAdapter({ filename, table: 'users', startId: 10 });
    expect((await reopened.create({ n: 'next' })).id).toBe(41);
    reopened.close();
  });

  it('raising startId moves generation up at the next construction; lowering it never moves it down', async () => {
    const filename = file();
    const first = sqliteAdapter({ filename, table: 'users', startId: 100 });
    expect((await first.create({ n: 1 })).id).toBe(100);
    first.close();
    const raised = sqliteAdapter({ filename, table: 'users', startId: 5000 });
    expect((await raised.create({ n: 2 })).id).toBe(5000);
    raised.close();
    const lowered = sqliteAdapter({ filename, table: 'users', startId: 1 });
    expect((await lowered.create({ n: 3 })).id).toBe(5001);
    lowered.close();
  });

  it('ids of removed records are not generated again, startId or not', async () => {
    const filename = file();
    const service = sqliteAdapter({ filename, table: 'users', startId: 7 });
    const a = await service.create({ n: 1 });
    await service.remove(a.id);
    service.close();
    const reopened = sqliteAdapter({ filename, table: 'users', startId: 7 });
    expect((await reopened.create({ n: 2 })).id).toBe(8);
    reopened.close();
  });

  it('two tables in one file keep their own start', async () => {
    const filename = file();
    const users = sqliteAdapter({ filename, table: 'users', startId: 1000 });
    const teams = sqliteAdapter({ filename, table: 'teams' });
    expect((await users.create({ n: 1 })).id).toBe(1000);
    expect((await teams.create({ n: 1 })).id).toBe(1);
    users.close();
    teams.close();
  });
});

describe('sqliteAdapter: startId validation', () => {
  it.each([0, -5, 1.5, Number.MAX_SAFE_INTEGER + 1, '10', null])('refuses startId %o', (startId) => {
    const attempt = () => sqliteAdapter({ table: 'users', startId: startId as any });
    expect(attempt).toThrow(BadRequest);
    expect(attempt).toThrow('sqliteAdapter: `startId` must be a safe integer of at least 1');
  });

  it('refuses startId with string ids rather than ignoring it', () => {
    expect(() => sqliteAdapter({ table: 'users', idType: 'string', startId: 10 })).toThrow(
      'sqliteAdapter: `startId` applies to number ids only (`idType` is "string")',
    );
  });

  it('a misspelt startId gets a did-you-mean hint', () => {
    expect(() => sqliteAdapter({ table: 'users', startID: 10 } as any)).toThrow(
      'unknown option "startID" (did you mean "startId"?)',
    );
  });
});
