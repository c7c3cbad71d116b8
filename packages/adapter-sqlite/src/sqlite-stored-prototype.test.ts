import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prototypeFindings } from '@org/adapter-tests';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from './sqlite-adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'org-adapter-sqlite-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Invariant 11 on the read side: a row written by hand (or before the keys were dropped) is read
// without them, so no copy of it ever inherits `isAdmin`.
it('a stored row with __proto__, constructor and prototype keys never supplies a prototype', async () => {
  const filename = join(dir, 'tampered.db');
  const users = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] });
  const raw = new Database(filename);
  raw
    .prepare('INSERT INTO users (data, u_email) VALUES (?, ?)')
    .run(
      '{"email":"eve@example.com","__proto__":{"isAdmin":true},"profile":{"constructor":{"x":1}},"roles":[{"prototype":{}}]}',
      '"eve@example.com"',
    );
  raw.close();
  const [found] = await users.find({ query: { email: 'eve@example.com' } });
  for (const record of [
    found!,
    await users.get(found!.id as number),
    await users.patch(found!.id as number, { a: 1 }),
  ]) {
    expect(prototypeFindings(record)).toEqual([]);
    expect(Object.assign({}, record).isAdmin).toBeUndefined();
    expect(record).toEqual({
      id: found!.id,
      email: 'eve@example.com',
      profile: {},
      roles: [{}],
      ...(record.a ? { a: 1 } : {}),
    });
  }
  users.close();
});
