import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BadRequest } from '@org/core';
import { sqliteAdapter } from '@org/adapter-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { runKeyStoreConformance } from './key-store-conformance.ts';
import { sqliteKeyStore } from './sqlite-key-store.ts';

// A real file, so separate handles are separate connections contending on the same database.
const dir = mkdtempSync(join(tmpdir(), 'org-keys-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
runKeyStoreConformance({
  name: 'SQLite (better-sqlite3)',
  open: (namespace) => sqliteKeyStore({ filename: join(dir, 'keys.sqlite'), namespace }),
});

describe('sqliteKeyStore on better-sqlite3', () => {
  it('shares one database file with @org/adapter-sqlite', async () => {
    const filename = join(dir, 'app.db');
    const users = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] });
    const store = sqliteKeyStore({ filename });
    await users.create({ email: 'ada@example.com' });
    expect(await store.createIfAbsent('k1', 'sealed')).toBe(true);
    const db = new Database(filename, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual(expect.arrayContaining([{ name: 'org_keys' }, { name: 'users' }]));
    db.close();
    await store.close();
    users.close();
  });

  it('uses a Database it is given, and never closes it', async () => {
    const db = new Database(join(dir, 'given.db'));
    const store = sqliteKeyStore({ database: db, namespace: 'given' });
    expect(await store.createIfAbsent('a', 'v')).toBe(true);
    expect(await store.update('a', 'w', 'v')).toBe(true);
    expect(await store.list()).toEqual([{ id: 'a', value: 'w' }]);
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT value FROM org_keys WHERE key = ?').get('given:a')).toEqual({ value: 'w' });
    db.close();
  });

  const invalid: Array<[string, unknown, string]> = [
    [
      'the replaced uri option',
      { uri: 'sqlite://x.db' },
      '`uri` is now `filename` (a path, without sqlite://)',
    ],
    ['the replaced adapter option', { adapter: {} }, '`adapter` (a KeyvSqlite) is now `database`'],
    ['both filename and database', { filename: 'a.db', database: new Database(':memory:') }, 'not both'],
    ['a database that is not one', { database: {} }, 'database must be a better-sqlite3 Database'],
    ['an unknown option', { filenme: 'a.db' }, 'unknown option "filenme" (did you mean "filename"?)'],
    ['a bad busyTimeout', { busyTimeout: -1 }, 'busyTimeout must be'],
  ];
  for (const [label, options, message] of invalid) {
    it(`refuses ${label} at construction`, () => {
      const create = () => sqliteKeyStore(options as never);
      expect(create).toThrow(BadRequest);
      expect(create).toThrow(message);
    });
  }
});
