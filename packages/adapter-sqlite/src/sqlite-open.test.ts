import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BadRequest, Conflict, Unavailable } from '@org/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteAdapter } from './sqlite-adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'org-adapter-sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${++n}.db`);

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('sqliteAdapter: a file that cannot be used fails at construction', () => {
  it('a file of garbage bytes', () => {
    const filename = file();
    writeFileSync(filename, Buffer.alloc(8192, 0xa5));
    const error = thrown(() => sqliteAdapter({ filename, table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: 503, reason: 'store-unavailable' });
    expect(error.message).toBe(
      `Cannot use the SQLite database "${filename}": the file is not a SQLite database or is corrupt`,
    );
    expect(readFileSync(filename)).toEqual(Buffer.alloc(8192, 0xa5));
  });

  it('a path in a directory that does not exist', () => {
    const filename = join(dir, 'missing', 'app.db');
    const error = thrown(() => sqliteAdapter({ filename, table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.reason).toBe('store-unavailable');
    expect(error.message).toBe(`Cannot use the SQLite database "${filename}": its directory does not exist`);
  });

  it('a path in a directory nobody can write (even root)', () => {
    const error = thrown(() => sqliteAdapter({ filename: '/proc/org-adapter-test.db', table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.message).toBe(
      'Cannot use the SQLite database "/proc/org-adapter-test.db": the file cannot be created or opened (check the path and permissions)',
    );
  });

  it('a directory given as the file', () => {
    const error = thrown(() => sqliteAdapter({ filename: dir, table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.reason).toBe('store-unavailable');
  });

  it('an existing database this process cannot write (it would open read-only and fail on the first write)', async () => {
    const filename = file();
    const users = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] });
    await users.create({ email: 'ada@example.com' });
    users.close();
    // Root ignores permission bits, so as root the file is made immutable instead (ext4, as on CI).
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', filename]);
    else chmodSync(filename, 0o444);
    try {
      const error = thrown(() => sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] }));
      expect(error).toBeInstanceOf(Unavailable);
      expect(error).toMatchObject({ code: 503, reason: 'store-unavailable' });
      expect(error.message).toBe(`Cannot use the SQLite database "${filename}": it is not writable`);
    } finally {
      if (root) execFileSync('chattr', ['-i', filename]);
      else chmodSync(filename, 0o644);
    }
    const again = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] });
    expect(await again.find()).toEqual([{ id: 1, email: 'ada@example.com' }]);
    again.close();
  });

  it('a table written by a newer adapter version', () => {
    const filename = file();
    sqliteAdapter({ filename, table: 'users' }).close();
    const db = new Database(filename);
    db.prepare(`UPDATE _org_entity_schema SET version = 99 WHERE table_name = 'users'`).run();
    db.close();
    const error = thrown(() => sqliteAdapter({ filename, table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.message).toBe(
      `Cannot use the SQLite database "${filename}": table "users" has schema version 99, newer than this adapter's 1`,
    );
  });
});

describe('sqliteAdapter: runtime failures are typed, never a crash', () => {
  async function corruptFile(pages: number, at: number) {
    const filename = file();
    const users = sqliteAdapter({ filename, table: 'users' });
    for (let i = 0; i < 200; i++) await users.create({ name: `user ${i}`, bio: 'x'.repeat(200) });
    users.close();
    const db = new Database(filename);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const fd = openSync(filename, 'r+');
    writeSync(fd, Buffer.alloc(4096 * pages, 0x5a), 0, 4096 * pages, 4096 * at);
    closeSync(fd);
    return filename;
  }

  it('a corrupt schema page fails at construction', async () => {
    const filename = await corruptFile(4, 1);
    const error = thrown(() => sqliteAdapter({ filename, table: 'users' }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.message).toBe(
      `Cannot use the SQLite database "${filename}": the file is not a SQLite database or is corrupt`,
    );
  });

  it('corrupt data pages give Unavailable (503) on read, not a 500 or a crash', async () => {
    const filename = await corruptFile(4, 10);
    const reopened = sqliteAdapter({ filename, table: 'users' });
    const error = await reopened.find().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({
      code: 503,
      reason: 'store-unavailable',
      message: 'The SQLite database is unavailable',
    });
    reopened.close();
  });

  it('a closed service rejects with Unavailable', async () => {
    const users = sqliteAdapter({ table: 'users' });
    users.close();
    users.close();
    await expect(users.find()).rejects.toBeInstanceOf(Unavailable);
    await expect(users.create({ a: 1 })).rejects.toMatchObject({ reason: 'store-unavailable' });
  });
});

describe('sqliteAdapter: options', () => {
  it('rejects unknown options with a did-you-mean hint, and invalid values', () => {
    const error = thrown(() => sqliteAdapter({ table: 'users', fileName: 'x.db' } as any));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.reason).toBe('invalid-configuration');
    expect(error.message).toContain('unknown option "fileName" (did you mean "filename"?)');
    expect(() => sqliteAdapter({ table: 'users; DROP TABLE x' })).toThrow('`table` must match');
    expect(() => sqliteAdapter({} as any)).toThrow('`table` must match');
    expect(() => sqliteAdapter({ table: '_org_entity_schema' })).toThrow('`table` must match');
    expect(() => sqliteAdapter({ table: 't', uniqueFields: ['a.b'] })).toThrow('`uniqueFields` must be');
    expect(() => sqliteAdapter({ table: 't', idType: 'uuid' as any })).toThrow('`idType` must be');
    expect(() => sqliteAdapter({ table: 't', busyTimeout: -1 })).toThrow('`busyTimeout` must be');
  });

  it('opens files in WAL mode', () => {
    const filename = file();
    sqliteAdapter({ filename, table: 'users' }).close();
    const db = new Database(filename);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('sqliteAdapter: schema versions and migrations', () => {
  it('records the schema version in a meta table', () => {
    const filename = file();
    sqliteAdapter({ filename, table: 'users' }).close();
    const db = new Database(filename);
    expect(db.prepare('SELECT table_name, version FROM _org_entity_schema').all()).toEqual([
      { table_name: 'users', version: 1 },
    ]);
    db.close();
  });

  it('keeps data across reopen, and a second table in the same file', async () => {
    const filename = file();
    const users = sqliteAdapter({ filename, table: 'users' });
    const messages = sqliteAdapter({ filename, table: 'messages' });
    await users.create({ name: 'Ada' });
    await messages.create({ text: 'hi' });
    users.close();
    messages.close();
    const again = sqliteAdapter({ filename, table: 'users' });
    expect(await again.find()).toEqual([{ id: 1, name: 'Ada' }]);
    again.close();
  });

  it('adding a unique field backfills existing rows and enforces it', async () => {
    const filename = file();
    const before = sqliteAdapter({ filename, table: 'users' });
    await before.create({ email: 'ada@example.com' });
    before.close();
    const after = sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] });
    await expect(after.create({ email: 'ada@example.com' })).rejects.toBeInstanceOf(Conflict);
    expect(await after.find({ query: { email: 'ada@example.com' } })).toEqual([
      { id: 1, email: 'ada@example.com' },
    ]);
    after.close();
  });

  it('adding a unique field over duplicate data fails at construction and changes nothing', async () => {
    const filename = file();
    const before = sqliteAdapter({ filename, table: 'users' });
    await before.create({ email: 'ada@example.com' });
    await before.create({ email: 'ada@example.com' });
    before.close();
    const error = thrown(() => sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] }));
    expect(error).toBeInstanceOf(Unavailable);
    expect(error.message).toBe(
      `Cannot use the SQLite database "${filename}": existing records hold duplicate values for a unique field`,
    );
    const reopened = sqliteAdapter({ filename, table: 'users' });
    expect(await reopened.find()).toHaveLength(2);
    reopened.close();
  });

  it('removing a unique field stops enforcing it', async () => {
    const filename = file();
    sqliteAdapter({ filename, table: 'users', uniqueFields: ['email'] }).close();
    const users = sqliteAdapter({ filename, table: 'users' });
    await users.create({ email: 'a@example.com' });
    await users.create({ email: 'a@example.com' });
    expect(await users.find({ query: { email: 'a@example.com' } })).toHaveLength(2);
    users.close();
  });
});
