import { assertKnownOptions, configError } from '@org/core/internal';
import { assertName, assertStoreId, storeCall, type KeyStore } from './key-store.ts';
import type { SqliteDatabaseLike, SqliteStatementLike } from './store-clients.ts';
import { loadStorePackage } from './store-packages.ts';

/** Options of {@link sqliteKeyStore}. */
export interface SqliteKeyStoreOptions {
  /**
   * The database file, opened (and closed) by the store through `better-sqlite3` in WAL mode: the same
   * file as `@org/adapter-sqlite`'s `filename` keeps users and keys in one database. `':memory:'` is a
   * private in-memory database.
   * @defaultValue `':memory:'`
   */
  filename?: string;
  /** An open `better-sqlite3` `Database` to use instead of `filename`; the store never closes it. */
  database?: SqliteDatabaseLike;
  /**
   * The table (`key VARCHAR(255) PRIMARY KEY, value TEXT`), created when missing.
   * @defaultValue `'org_keys'`
   */
  table?: string;
  /**
   * Prefix of every id, so several rings can share a table.
   * @defaultValue `'keys'`
   */
  namespace?: string;
  /**
   * Milliseconds SQLite waits on a lock held by another connection or process (`filename` only).
   * @defaultValue `5000`
   */
  busyTimeout?: number;
}

const KNOWN = ['filename', 'database', 'table', 'namespace', 'busyTimeout'];
/** Options of earlier releases (on `@keyv/sqlite`), refused with the way to migrate. */
const REPLACED: Record<string, string> = {
  uri: 'sqliteKeyStore(): `uri` is now `filename` (a path, without sqlite://)',
  adapter: 'sqliteKeyStore(): `adapter` (a KeyvSqlite) is now `database` (a better-sqlite3 Database)',
};

interface Statements {
  get: SqliteStatementLike;
  list: SqliteStatementLike;
  create: SqliteStatementLike;
  overwrite: SqliteStatementLike;
  compareAndSet: SqliteStatementLike;
  delete: SqliteStatementLike;
}

function checkOptions(options: SqliteKeyStoreOptions): void {
  if (options === null || typeof options !== 'object')
    throw configError('sqliteKeyStore(): options must be an object');
  for (const key of Object.keys(options)) if (REPLACED[key]) throw configError(REPLACED[key]);
  assertKnownOptions(options, KNOWN, 'sqliteKeyStore()');
  const { filename, database, busyTimeout } = options;
  if (filename !== undefined && database !== undefined) {
    throw configError('sqliteKeyStore(): give filename or database, not both');
  }
  if (filename !== undefined && (typeof filename !== 'string' || filename === '')) {
    throw configError('sqliteKeyStore(): filename must be a path or ":memory:"');
  }
  if (database !== undefined && (database === null || typeof database.prepare !== 'function')) {
    throw configError('sqliteKeyStore(): database must be a better-sqlite3 Database');
  }
  if (busyTimeout !== undefined && (!Number.isInteger(busyTimeout) || busyTimeout < 0)) {
    throw configError('sqliteKeyStore(): busyTimeout must be a whole number of milliseconds >= 0');
  }
}

/**
 * A key store in an SQLite database through `better-sqlite3` (an optional peer dependency: the engine of
 * `@org/adapter-sqlite`, so the embedded default needs one native module and can keep users and keys
 * in one file).
 *
 * Create-if-absent is `INSERT ... ON CONFLICT(key) DO NOTHING` and compare-and-set
 * `UPDATE ... WHERE key = ? AND value = ?`: single statements, atomic for every connection and process
 * sharing the file. The file is opened on first use; while it cannot be (a missing directory), calls
 * reject with `Unavailable` and the next call tries again.
 *
 * @param options - File or database, table and namespace.
 * @throws BadRequest `invalid-configuration` for a bad or replaced option, a bad table or namespace; the
 *   calls reject with BadRequest `missing-package` when `better-sqlite3` is not installed.
 * @example
 * ```ts
 * const users = sqliteAdapter({ filename: 'data/app.db', table: 'users' });
 * const store = sqliteKeyStore({ filename: 'data/app.db' }); // the same file
 * const ring = await KeyRing.open({ store, kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function sqliteKeyStore(options: SqliteKeyStoreOptions = {}): KeyStore {
  checkOptions(options);
  const table = assertName(options.table ?? 'org_keys', 'SQLite table name');
  const namespace = assertName(options.namespace ?? 'keys', 'key store namespace');
  const prefix = `${namespace}:`;
  const filename = options.filename ?? ':memory:';
  let owned: { close(): unknown } | undefined;
  let statements: Statements | undefined;
  let closed = false;

  const openDatabase = async (): Promise<SqliteDatabaseLike> => {
    if (options.database) return options.database;
    const { default: Database } = await loadStorePackage('better-sqlite3', 'sqliteKeyStore()');
    // Throws (SQLITE_CANTOPEN...) while the file cannot be opened; nothing is kept, the next call retries.
    const db = new Database(filename, { timeout: options.busyTimeout ?? 5000 });
    try {
      if (filename !== ':memory:') db.pragma('journal_mode = WAL');
    } catch (error) {
      db.close();
      throw error;
    }
    owned = db;
    return db;
  };

  const prepare = async (): Promise<Statements> => {
    if (closed) throw new Error('key store closed');
    if (statements) return statements;
    const db = await openDatabase();
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`);
    statements = {
      get: db.prepare(`SELECT value FROM ${table} WHERE key = ?`),
      list: db.prepare(`SELECT key, value FROM ${table} WHERE substr(key, 1, ?) = ?`),
      create: db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`),
      overwrite: db.prepare(`UPDATE ${table} SET value = ? WHERE key = ?`),
      compareAndSet: db.prepare(`UPDATE ${table} SET value = ? WHERE key = ? AND value = ?`),
      delete: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
    };
    return statements;
  };
  const run = <T>(operation: (s: Statements) => T): Promise<T> =>
    storeCall(async () => operation(await prepare()));

  return {
    namespace,
    async get(id) {
      assertStoreId(id);
      const row = await run((s) => s.get.get(prefix + id) as { value: string } | undefined);
      return row?.value;
    },
    async list() {
      const rows = await run(
        (s) => s.list.all(prefix.length, prefix) as Array<{ key: string; value: string }>,
      );
      return rows.map((row) => ({ id: row.key.slice(prefix.length), value: row.value }));
    },
    async createIfAbsent(id, value) {
      assertStoreId(id);
      return (await run((s) => s.create.run(prefix + id, value).changes)) === 1;
    },
    async update(id, value, expected) {
      assertStoreId(id);
      const changes = await run((s) =>
        expected === undefined
          ? s.overwrite.run(value, prefix + id).changes
          : s.compareAndSet.run(value, prefix + id, expected).changes,
      );
      return changes === 1;
    },
    async delete(id) {
      assertStoreId(id);
      return (await run((s) => s.delete.run(prefix + id).changes)) === 1;
    },
    async close() {
      if (closed) return;
      closed = true;
      statements = undefined;
      try {
        owned?.close();
      } catch {
        // Already closed elsewhere: nothing left to release.
      }
      owned = undefined;
    },
  };
}
