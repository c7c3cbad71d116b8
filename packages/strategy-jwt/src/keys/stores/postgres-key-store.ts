import {
  assertName,
  assertStoreId,
  assertTimeout,
  settleWithin,
  storeCall,
  type KeyStore,
} from './key-store.ts';
import type { PostgresQueryable } from './store-clients.ts';
import { loadStorePackage } from './store-packages.ts';

/** Options of {@link postgresKeyStore}. */
export interface PostgresKeyStoreOptions {
  /** Connection string; the store opens and owns a `pg` pool (pg is what `@keyv/postgres` runs on). */
  connectionString?: string;
  /** An existing `pg` Pool; the store never ends it. */
  pool?: PostgresQueryable;
  /**
   * Schema of the table.
   * @defaultValue `'public'`
   */
  schema?: string;
  /**
   * The table, with `@keyv/postgres`'s layout (`key VARCHAR(255) PRIMARY KEY, value TEXT`).
   * @defaultValue `'org_keys'`
   */
  table?: string;
  /**
   * Prefix of every id, so several rings can share a table.
   * @defaultValue `'keys'`
   */
  namespace?: string;
  /**
   * Milliseconds a call may wait for Postgres (connecting, then the statement; the owned pool's
   * `connectionTimeoutMillis` and `query_timeout`); after that it rejects with `Unavailable`
   * (`store-unavailable`).
   * @defaultValue `5000`
   */
  timeout?: number;
}

/**
 * A key store on PostgreSQL, shared by every instance: create-if-absent is
 * `INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key`, compare-and-set an `UPDATE ... WHERE value = $3`.
 *
 * It talks to `pg` directly rather than through `@keyv/postgres`, whose pool is one per process and
 * ended by any adapter's `disconnect()`. Every call is bounded by `timeout`, a connection that failed is
 * discarded by the pool, and the next call opens a new one, so the store recovers when Postgres comes back.
 * @param options - Connection, table, namespace and timeout.
 * @throws BadRequest (`invalid-configuration`) for a bad name or timeout.
 * @example
 * ```ts
 * const store = postgresKeyStore({ connectionString: process.env.DATABASE_URL, namespace: 'api' });
 * const ring = await KeyRing.open({ store, kek: { secret: process.env.KEK_SECRET! } });
 * ```
 */
export function postgresKeyStore(options: PostgresKeyStoreOptions = {}): KeyStore {
  const table = `"${assertName(options.schema ?? 'public', 'Postgres schema')}"."${assertName(options.table ?? 'org_keys', 'Postgres table')}"`;
  const namespace = assertName(options.namespace ?? 'keys', 'key store namespace');
  const prefix = `${namespace}:`;
  const timeout = assertTimeout(options.timeout);
  let owned: Promise<PostgresQueryable> | undefined;
  let ready: Promise<unknown> | undefined;
  let closed = false;
  const connect = async (): Promise<PostgresQueryable> => {
    if (closed) throw new Error('key store closed');
    const handle = await (options.pool ?? (owned ??= openPool(options.connectionString, timeout)));
    // Created once; a failed attempt (Postgres down at boot) is retried by the next call.
    await (ready ??= createTable(handle, table, options.schema ?? 'public').catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
    return handle;
  };
  const run = (text: string, values: unknown[]) =>
    storeCall(async () => (await (await connect()).query(text, values)).rows, { timeout });
  return {
    namespace,
    async get(id) {
      assertStoreId(id);
      return (await run(`SELECT value FROM ${table} WHERE key = $1`, [prefix + id]))[0]?.value;
    },
    async list() {
      const rows = await run(`SELECT key, value FROM ${table} WHERE left(key, length($1)) = $1`, [prefix]);
      return rows.map((row: { key: string; value: string }) => ({
        id: row.key.slice(prefix.length),
        value: row.value,
      }));
    },
    async createIfAbsent(id, value) {
      assertStoreId(id);
      const sql = `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`;
      return (await run(sql, [prefix + id, value])).length === 1;
    },
    async update(id, value, expected) {
      assertStoreId(id);
      const rows =
        expected === undefined
          ? await run(`UPDATE ${table} SET value = $2 WHERE key = $1 RETURNING key`, [prefix + id, value])
          : await run(`UPDATE ${table} SET value = $2 WHERE key = $1 AND value = $3 RETURNING key`, [
              prefix + id,
              value,
              expected,
            ]);
      return rows.length === 1;
    },
    async delete(id) {
      assertStoreId(id);
      return (await run(`DELETE FROM ${table} WHERE key = $1 RETURNING key`, [prefix + id])).length === 1;
    },
    async close() {
      if (closed || options.pool) return;
      closed = true;
      if (!owned) return;
      // end() waits for clients in use; query_timeout releases them, and the wait stays bounded anyway.
      await settleWithin(
        owned.then((handle) => handle.end?.()),
        timeout,
      );
    },
  };
}

async function openPool(connectionString: string | undefined, timeout: number): Promise<PostgresQueryable> {
  const { default: pg } = await loadStorePackage('pg', 'postgresKeyStore()');
  const created = new pg.Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
  });
  created.on('error', () => undefined); // an idle client's failure surfaces on the next query instead
  return created;
}

async function createTable(handle: PostgresQueryable, table: string, schema: string): Promise<void> {
  const ddl = `CREATE SCHEMA IF NOT EXISTS "${schema}"; CREATE TABLE IF NOT EXISTS ${table} (key VARCHAR(255) PRIMARY KEY, value TEXT)`;
  try {
    await handle.query(ddl);
  } catch (error) {
    // Concurrent first boots race on the catalog (unique_violation / duplicate_*); the loser retries once.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06' && code !== '42P07') throw error;
    await handle.query(ddl);
  }
}
