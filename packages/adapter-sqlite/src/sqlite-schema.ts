import type { Database } from 'better-sqlite3';

/** The table layout the adapter keeps: the id, a JSON document, and one column per unique field. */
export interface TableLayout {
  /** The table name (already checked against the identifier whitelist). */
  table: string;
  idType: 'number' | 'string';
  /** Unique fields, each mirrored into its own `u_<field>` column under a UNIQUE index. */
  uniqueFields: readonly string[];
  /** The lowest id AUTOINCREMENT may generate (number ids). */
  startId: number;
}

/** Double-quotes an identifier that the caller has already checked against a strict whitelist. */
export function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** The column that mirrors a unique field (prefixed, so a field can never shadow `id` or `data`). */
export function uniqueColumn(field: string): string {
  return `u_${field}`;
}

/**
 * The value stored in a unique column: the field's JSON text, so `1` and `"1"` stay distinct and
 * booleans survive; `NULL` for null or missing, which SQL UNIQUE never counts as a duplicate.
 */
export function uniqueValue(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

const META = quote('_org_entity_schema');

// Each entry migrates a table from version i to i + 1. Append, never edit: databases in the field have
// already run the earlier steps.
const MIGRATIONS: Array<(db: Database, layout: TableLayout) => void> = [
  (db, { table, idType }) => {
    const id = idType === 'number' ? 'id INTEGER PRIMARY KEY AUTOINCREMENT' : 'id TEXT PRIMARY KEY NOT NULL';
    db.exec(`CREATE TABLE ${quote(table)} (${id}, data TEXT NOT NULL CHECK (json_valid(data)))`);
  },
];

/** The schema version this adapter writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function reconcileUniqueColumns(db: Database, { table, uniqueFields }: TableLayout): void {
  const columns = new Set(
    (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map(
      (c) => c.name,
    ),
  );
  const wanted = new Set(uniqueFields.map(uniqueColumn));
  for (const column of columns) {
    if (!column.startsWith('u_') || wanted.has(column)) continue;
    db.exec(`DROP INDEX IF EXISTS ${quote(`${table}_${column}`)}`);
    db.exec(`ALTER TABLE ${quote(table)} DROP COLUMN ${quote(column)}`);
  }
  for (const field of uniqueFields) {
    const column = uniqueColumn(field);
    if (!columns.has(column)) {
      db.exec(`ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column)}`);
      // Backfill from the documents in JS, so the stored text is byte-for-byte what writes produce.
      const update = db.prepare(`UPDATE ${quote(table)} SET ${quote(column)} = ? WHERE rowid = ?`);
      const rows = db.prepare(`SELECT rowid AS r, data FROM ${quote(table)}`).iterate() as Iterable<{
        r: number;
        data: string;
      }>;
      const values: Array<[string | null, number]> = [];
      for (const row of rows)
        values.push([uniqueValue((JSON.parse(row.data) as Record<string, unknown>)[field]), row.r]);
      for (const [value, rowid] of values) update.run(value, rowid);
    }
    db.exec(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${quote(`${table}_${column}`)} ON ${quote(table)} (${quote(column)})`,
    );
  }
}

// AUTOINCREMENT generates one more than the larger of the table's highest rowid and its sqlite_sequence
// entry (https://sqlite.org/autoinc.html), so raising the entry to startId - 1 makes startId the floor
// without ever moving generation below an id the table has held.
function applyStartId(db: Database, { table, idType, startId }: TableLayout): void {
  if (idType !== 'number') return;
  const row = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = ?`).get(table) as
    { seq: number } | undefined;
  if (row === undefined) {
    db.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`).run(table, startId - 1);
  } else if (row.seq < startId - 1) {
    db.prepare(`UPDATE sqlite_sequence SET seq = ? WHERE name = ?`).run(startId - 1, table);
  }
}

/**
 * Creates or migrates the table in one IMMEDIATE transaction (so two processes opening the same file
 * at once cannot both migrate), recording the version in a shared meta table; that write also proves
 * the file is writable. Number ids are then generated from `layout.startId` up.
 *
 * @throws Error when the stored version is newer than this adapter knows (a downgrade).
 */
export function migrate(db: Database, layout: TableLayout): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${META} (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL)`);
    const row = db.prepare(`SELECT version FROM ${META} WHERE table_name = ?`).get(layout.table) as
      { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `table "${layout.table}" has schema version ${current}, newer than this adapter's ${SCHEMA_VERSION}`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) MIGRATIONS[version]!(db, layout);
    // Written even when the version is current: a file this process cannot write (owned by another user,
    // immutable) still opens, read-only, and would fail only on the first write; this write fails here.
    db.prepare(
      `INSERT INTO ${META} (table_name, version) VALUES (?, ?) ON CONFLICT (table_name) DO UPDATE SET version = excluded.version`,
    ).run(layout.table, SCHEMA_VERSION);
    reconcileUniqueColumns(db, layout);
    applyStartId(db, layout);
  }).immediate();
}
