import { assertName, assertStoreId, storeCall, type KeyStore } from './key-store.ts';

/** The part of a `@keyv/sqlite` adapter (`KeyvSqlite`) this store uses. */
export interface SqliteQueryable {
  /** Runs one statement and resolves its rows (`KeyvSqlite#query`). */
  query(sql: string, ...parameters: unknown[]): Promise<unknown[]>;
  /** Closes the database (`KeyvSqlite#close`). */
  close?(): Promise<void>;
}

/** Options of {@link sqliteKeyStore}. */
export interface SqliteKeyStoreOptions {
  /**
   * The database, as `@keyv/sqlite` takes it.
   * @defaultValue `'sqlite://:memory:'`
   */
  uri?: string;
  /** An existing `KeyvSqlite` adapter (the store then never closes it); `uri` is ignored. */
  adapter?: SqliteQueryable;
  /**
   * The table, created as `@keyv/sqlite` creates its own (`key VARCHAR(255) PRIMARY KEY, value TEXT`).
   * @defaultValue `'org_keys'`
   */
  table?: string;
  /**
   * Prefix of every id, so several rings can share a table.
   * @defaultValue `'keys'`
   */
  namespace?: string;
  /**
   * Milliseconds SQLite waits on a lock held by another process.
   * @defaultValue `5000`
   */
  busyTimeout?: number;
}

/**
 * A key store in an SQLite file through `@keyv/sqlite` (an optional peer dependency, on `sqlite3`).
 *
 * Create-if-absent is `INSERT ... ON CONFLICT(key) DO NOTHING RETURNING key` and compare-and-set is
 * `UPDATE ... WHERE key = ? AND value = ? RETURNING key`: single statements, so they stay atomic for
 * several processes sharing one file.
 * @param options - File, table and namespace.
 * @example
 * ```ts
 * const store = sqliteKeyStore({ uri: 'sqlite://./data/keys.sqlite' });
 * const ring = await KeyRing.open({ store, kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function sqliteKeyStore(options: SqliteKeyStoreOptions = {}): KeyStore {
  const table = assertName(options.table ?? 'org_keys', 'SQLite table name');
  const namespace = assertName(options.namespace ?? 'keys', 'key store namespace');
  const prefix = `${namespace}:`;
  const owned = !options.adapter;
  let adapter: Promise<SqliteQueryable> | undefined;
  const db = (): Promise<SqliteQueryable> =>
    (adapter ??= (async () => {
      if (options.adapter) return options.adapter;
      const { KeyvSqlite } = await import('@keyv/sqlite');
      const created = new KeyvSqlite({
        uri: options.uri ?? 'sqlite://:memory:',
        busyTimeout: options.busyTimeout ?? 5000,
      });
      created.on('error', () => undefined); // surfaced through the rejected query instead
      return created as unknown as SqliteQueryable;
    })());
  let ready: Promise<unknown> | undefined;
  let closed = false;
  const prepare = async (): Promise<SqliteQueryable> => {
    if (closed && owned) throw new Error('key store closed');
    const handle = await db();
    // The adapter creates its own `keyv` table; ours has the same layout under our name. A failure is not
    // cached; an owned database that could not be opened (it never retries) is opened again next call.
    await (ready ??= handle
      .query(`CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`)
      .catch((error: unknown) => {
        ready = undefined;
        if (owned && adapter && (error as { code?: unknown }).code === 'SQLITE_CANTOPEN') {
          const failed = adapter;
          adapter = undefined;
          void failed.then((a) => a.close?.()).catch(() => undefined);
        }
        throw error;
      }));
    return handle;
  };
  const run = (sql: string, ...parameters: unknown[]) =>
    storeCall(
      async () =>
        (await (await prepare()).query(sql, ...parameters)) as Array<{ key: string; value: string }>,
    );
  return {
    namespace,
    async get(id) {
      assertStoreId(id);
      const rows = await run(`SELECT value FROM ${table} WHERE key = ?`, prefix + id);
      return rows[0]?.value;
    },
    async list() {
      const rows = await run(
        `SELECT key, value FROM ${table} WHERE substr(key, 1, ?) = ?`,
        prefix.length,
        prefix,
      );
      return rows.map((row) => ({ id: row.key.slice(prefix.length), value: row.value }));
    },
    async createIfAbsent(id, value) {
      assertStoreId(id);
      const sql = `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key`;
      return (await run(sql, prefix + id, value)).length === 1;
    },
    async update(id, value, expected) {
      assertStoreId(id);
      const rows =
        expected === undefined
          ? await run(`UPDATE ${table} SET value = ? WHERE key = ? RETURNING key`, value, prefix + id)
          : await run(
              `UPDATE ${table} SET value = ? WHERE key = ? AND value = ? RETURNING key`,
              value,
              prefix + id,
              expected,
            );
      return rows.length === 1;
    },
    async delete(id) {
      assertStoreId(id);
      return (await run(`DELETE FROM ${table} WHERE key = ? RETURNING key`, prefix + id)).length === 1;
    },
    async close() {
      if (closed || !owned) return;
      closed = true;
      if (!adapter) return;
      const handle = await adapter.catch(() => undefined);
      await handle?.close?.().catch(() => undefined); // a database that never opened rejects here too
    },
  };
}
