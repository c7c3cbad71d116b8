import { loadStorePackage } from '../keys/stores/store-packages.ts';
import type { SqliteDatabaseLike, SqliteStatementLike } from '../keys/stores/store-clients.ts';

/**
 * A keyv storage adapter on an SQLite file through `better-sqlite3` (the engine of `@org/adapter-sqlite`
 * and `sqliteKeyStore`), for a `sqlite://PATH` denylist: every process that opens the file shares its
 * entries. Each row keeps its expiry, and expired rows are deleted on every write, so an entry is gone
 * once its token could no longer be valid.
 * @internal
 */
export class SqliteDenylistStore {
  readonly #database: Promise<{ db: SqliteDatabaseLike & { close(): unknown }; statements: Statements }>;
  /** Set by keyv. */
  namespace: string | undefined;

  /** @param filename - The database file, or `':memory:'`. */
  constructor(filename: string) {
    this.#database = open(filename);
    this.#database.catch(() => undefined); // reported by each call
  }

  async get(key: string): Promise<unknown> {
    const { statements } = await this.#database;
    const row = statements.get.get(key, Date.now()) as { value: string } | undefined;
    return row?.value;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const { statements } = await this.#database;
    const now = Date.now();
    statements.purge.run(now);
    statements.set.run(key, String(value), typeof ttl === 'number' && ttl > 0 ? now + ttl : null);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const { statements } = await this.#database;
    return statements.delete.run(key).changes > 0;
  }

  async clear(): Promise<void> {
    const { statements } = await this.#database;
    statements.clear.run();
  }

  async disconnect(): Promise<void> {
    const { db } = await this.#database;
    db.close();
  }
}

interface Statements {
  get: SqliteStatementLike;
  set: SqliteStatementLike;
  purge: SqliteStatementLike;
  delete: SqliteStatementLike;
  clear: SqliteStatementLike;
}

const TABLE = 'org_revoked';

async function open(filename: string) {
  const { default: Database } = await loadStorePackage('better-sqlite3', 'A sqlite:// denylist');
  const db = new Database(filename, { timeout: 5000 });
  if (filename !== ':memory:') db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)`);
  const statements: Statements = {
    get: db.prepare(`SELECT value FROM ${TABLE} WHERE key = ? AND (expires IS NULL OR expires > ?)`),
    set: db.prepare(
      `INSERT INTO ${TABLE} (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
    ),
    purge: db.prepare(`DELETE FROM ${TABLE} WHERE expires IS NOT NULL AND expires <= ?`),
    delete: db.prepare(`DELETE FROM ${TABLE} WHERE key = ?`),
    clear: db.prepare(`DELETE FROM ${TABLE}`),
  };
  return { db, statements };
}
