// The client shapes the SQL stores use, in their own file so the stores and the optional-package
// loader (which types what it loads with them) import them without importing each other.

/** One prepared statement of a `better-sqlite3` database, as this store uses it. */
export interface SqliteStatementLike {
  /** Runs it; `changes` counts the rows written. */
  run(...parameters: unknown[]): { changes: number };
  /** The first row, or `undefined`. */
  get(...parameters: unknown[]): unknown;
  /** Every row. */
  all(...parameters: unknown[]): unknown[];
}

/** The part of a `better-sqlite3` `Database` this store uses (the one `@org/adapter-sqlite` runs on). */
export interface SqliteDatabaseLike {
  /** Prepares a statement. */
  prepare(sql: string): SqliteStatementLike;
  /** Runs statements without results (the table creation). */
  exec(sql: string): unknown;
}

/** The part of a `pg` `Pool` (or `Client`) this store uses. */
export interface PostgresQueryable {
  /** Runs one parameterised statement. */
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  /** Ends the pool. */
  end?(): Promise<void>;
}
