import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  AuthError,
  BadRequest,
  NotFound,
  parseQuery,
  selectFields,
  type EntityService,
  type Id,
  type Params,
  type Page,
  type PaginateOptions,
} from '@org/core';
import {
  assertKnownOptions,
  configError,
  toRecordData,
  normaliseId,
  parseRecordJson,
  assertIdNotChosenExternally,
  nextGeneratedId,
  conflictForCaller,
  checkPaginate,
  resolvePaging,
} from '@org/core/internal';
import { toStoreError, openError } from './sqlite-errors.ts';
import { pagingClause, whereClause, type QueryTarget } from './sqlite-query.ts';
import { migrate, quote, uniqueColumn, uniqueValue } from './sqlite-schema.ts';

/** Options for {@link SqliteService} and {@link sqliteAdapter}. */
export interface SqliteAdapterOptions {
  /**
   * The database file (created if missing, in WAL mode), or `':memory:'` for a private in-memory database.
   * @defaultValue `':memory:'`
   */
  filename?: string;
  /** The table; created (or migrated) at construction. Letters, digits and `_`, starting with a letter or `_`. */
  table: string;
  /**
   * The id field of the records.
   * @defaultValue `'id'`
   */
  id?: string;
  /**
   * Auto-increment integer ids, or random UUID strings.
   * @defaultValue `'number'`
   */
  idType?: 'number' | 'string';
  /**
   * Top-level fields whose non-null values must be unique, enforced by a UNIQUE index; a duplicate is a
   * `Conflict` (409). Adding or removing a field migrates the table at the next construction.
   * @defaultValue `[]`
   */
  uniqueFields?: string[];
  /**
   * How long a write waits for another connection's lock before failing with a 503, in milliseconds.
   * @defaultValue `5000`
   */
  busyTimeout?: number;
  /**
   * Feathers' pagination: `find` resolves with `{ total, limit, skip, data }`, `$limit` defaults to
   * `default` and is lowered to `max`; `params.paginate: false` turns it off for one call.
   * @defaultValue none (`find` resolves with an array)
   */
  paginate?: PaginateOptions;
  /**
   * The first id generated for number ids (Feathers' memory service's `startId`): a new table's first
   * generated id is `startId`, and no generated id is ever below it. A table that already has rows keeps
   * generating after the highest id it has held when that is above `startId` (ids are never reused);
   * raising `startId` moves generation up at the next construction, lowering it never moves it down.
   * A safe integer of at least 1, for `idType: 'number'` only.
   * @defaultValue `1`
   */
  startId?: number;
}

const KNOWN_OPTIONS = [
  'filename',
  'table',
  'id',
  'idType',
  'uniqueFields',
  'busyTimeout',
  'paginate',
  'startId',
] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type Row = { id: Id; data: string };

/** What `find` resolves with: a page when the service paginates, else an array. */
export type FindResult<T, Paged extends boolean> = Paged extends true ? T[] | Page<T> : T[];

/**
 * An {@link EntityService} on better-sqlite3: the embedded default. Each record is a row with its id,
 * a JSON document, and a column per unique field under a UNIQUE index.
 *
 * The file is opened, checked and migrated in the constructor, so a corrupt, unwritable or missing file
 * fails at start with `Unavailable` (`store-unavailable`), never on a later request.
 *
 * @example
 * ```ts
 * const users = new SqliteService({ filename: 'data/app.db', table: 'users', uniqueFields: ['email'] });
 * const user = await users.create({ email: 'ada@example.com' }); // { email: 'ada@example.com', id: 1 }
 * await users.get(String(user.id));
 * users.close();
 * ```
 */
export class SqliteService<T extends Record<string, any> = Record<string, any>, Paged extends boolean = false>
  extends EventEmitter
  implements EntityService<T>
{
  /** The id field. */
  readonly id: string;
  /** The table name. */
  readonly table: string;
  readonly #db: Database.Database;
  readonly #idType: 'number' | 'string';
  readonly #uniqueFields: readonly string[];
  readonly #target: QueryTarget;
  readonly #paginate: PaginateOptions | undefined;

  /**
   * @param options - See {@link SqliteAdapterOptions}.
   * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
   * @throws Unavailable (`store-unavailable`) when the file cannot be opened, is not a database, or is not writable.
   */
  constructor(options: SqliteAdapterOptions) {
    super();
    if (options === null || typeof options !== 'object')
      throw configError('sqliteAdapter: options are required');
    assertKnownOptions(options, KNOWN_OPTIONS, 'sqliteAdapter');
    const {
      filename = ':memory:',
      table,
      id = 'id',
      idType = 'number',
      uniqueFields = [],
      busyTimeout = 5000,
      startId = 1,
    } = options;
    if (typeof filename !== 'string' || filename === '')
      throw configError('sqliteAdapter: `filename` must be a path or ":memory:"');
    if (typeof table !== 'string' || !IDENTIFIER.test(table) || table.startsWith('_org_')) {
      throw configError(
        'sqliteAdapter: `table` must match /^[A-Za-z_][A-Za-z0-9_]{0,62}$/ (and not start with _org_)',
      );
    }
    if (typeof id !== 'string' || !IDENTIFIER.test(id))
      throw configError('sqliteAdapter: `id` must be a field name');
    if (idType !== 'number' && idType !== 'string')
      throw configError('sqliteAdapter: `idType` must be "number" or "string"');
    if (
      !Array.isArray(uniqueFields) ||
      !uniqueFields.every((f) => typeof f === 'string' && IDENTIFIER.test(f))
    ) {
      throw configError('sqliteAdapter: `uniqueFields` must be an array of top-level field names');
    }
    if (!Number.isInteger(busyTimeout) || busyTimeout < 0)
      throw configError('sqliteAdapter: `busyTimeout` must be a non-negative integer');
    if (!Number.isSafeInteger(startId) || startId < 1)
      throw configError('sqliteAdapter: `startId` must be a safe integer of at least 1');
    // An option that cannot take effect is refused, never silently ignored.
    if (options.startId !== undefined && idType !== 'number')
      throw configError('sqliteAdapter: `startId` applies to number ids only (`idType` is "string")');

    this.#paginate = checkPaginate(options.paginate, 'sqliteAdapter');
    this.id = id;
    this.table = table;
    this.#idType = idType;
    this.#uniqueFields = [...new Set(uniqueFields.filter((f) => f !== id))];
    this.#target = {
      idField: id,
      uniqueFields: new Set(this.#uniqueFields),
      normaliseId: (v) => this.#normalise(v),
    };
    let db: Database.Database | undefined;
    try {
      db = new Database(filename, { timeout: busyTimeout });
      // Reading the schema forces SQLite to parse the header: a garbage file fails here, not later.
      db.pragma('schema_version');
      if (filename !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, { table, idType, uniqueFields: this.#uniqueFields, startId });
    } catch (error) {
      db?.close();
      throw openError(filename, error);
    }
    this.#db = db;
  }

  /** Resolves with the record. @throws NotFound when no record has this id (or it does not match `params.query`). */
  async get(id: Id, params?: Params): Promise<T> {
    return this.#run(() => this.#toRecord(this.#selectOne(id, params)));
  }

  /**
   * Resolves with the records matching `params.query`, in creation order unless `$sort` says otherwise:
   * a page `{ total, limit, skip, data }` when the service paginates (and `params.paginate` is not `false`).
   */
  async find(params?: Params): Promise<FindResult<T, Paged>> {
    const query = parseQuery(params?.query);
    const { paginated, limit } = resolvePaging(this.#paginate, params, query.limit);
    const where = whereClause(query.filters, this.#target);
    const paging = pagingClause({ ...query, limit }, this.#target);
    const table = quote(this.table);
    const [data, total] = this.#run(() => {
      if (!where) return [[], 0];
      const rows = this.#db
        .prepare(`SELECT id, data FROM ${table}${where.sql}${paging.sql}`)
        .all(...where.params, ...paging.params) as Row[];
      const count = paginated
        ? (
            this.#db.prepare(`SELECT count(*) AS n FROM ${table}${where.sql}`).get(...where.params) as {
              n: number;
            }
          ).n
        : 0;
      return [rows.map((row) => selectFields(this.#toRecord(row), query.select, this.id)), count];
    });
    return (paginated ? { total, limit: limit ?? total, skip: query.skip, data } : data) as FindResult<
      T,
      Paged
    >;
  }

  /**
   * Creates a record; the id is assigned unless `data` carries one (internal calls only).
   * @throws Conflict on a taken unique value or id.
   * @throws BadRequest when an external call (`params.provider`) carries an id, or the id is invalid.
   * @throws GeneralError when generated ids have reached `Number.MAX_SAFE_INTEGER` (nothing is stored).
   */
  async create(data: Partial<T>, params?: Params): Promise<T> {
    try {
      const record = toRecordData(data);
      const given = assertIdNotChosenExternally(record, this.id, params);
      delete record[this.id];
      let id: Id | undefined;
      if (given !== undefined && given !== null) {
        id = this.#normalise(given);
        if (id === undefined) throw new BadRequest(`Invalid ${this.id}`);
      } else if (this.#idType === 'string') {
        id = randomUUID();
      }
      const columns = ['data', ...this.#uniqueFields.map((f) => quote(uniqueColumn(f)))];
      const values: unknown[] = [
        JSON.stringify(record),
        ...this.#uniqueFields.map((f) => uniqueValue(record[f])),
      ];
      if (id !== undefined) {
        columns.unshift('id');
        values.unshift(id);
      }
      const sql = `INSERT INTO ${quote(this.table)} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id, data`;
      const created = this.#run(() =>
        this.#db.transaction(() => {
          const row = this.#db.prepare(sql).get(...values) as Row;
          // AUTOINCREMENT goes past 2^53 - 1, where the driver rounds: roll back rather than store a lossy id.
          if (typeof row.id === 'number') nextGeneratedId(row.id);
          return this.#toRecord(row);
        })(),
      );
      return this.#emit('created', created);
    } catch (error) {
      // A unique-field Conflict names the field for internal callers only.
      throw conflictForCaller(error, params);
    }
  }

  /** Merges `data` (minus the id) into the record. @throws NotFound when missing; Conflict on a taken unique value. */
  async patch(id: Id, data: Partial<T>, params?: Params): Promise<T> {
    try {
      const changes = toRecordData(data);
      delete changes[this.id];
      const patched = this.#run(() =>
        this.#db.transaction(() => {
          const current = this.#toRecord(this.#selectOne(id, params));
          const key = current[this.id] as Id;
          delete current[this.id];
          const next: Record<string, unknown> = { ...current, ...changes };
          const sets = ['data = ?', ...this.#uniqueFields.map((f) => `${quote(uniqueColumn(f))} = ?`)];
          const values = [JSON.stringify(next), ...this.#uniqueFields.map((f) => uniqueValue(next[f]))];
          this.#db
            .prepare(`UPDATE ${quote(this.table)} SET ${sets.join(', ')} WHERE id = ?`)
            .run(...values, key);
          return { ...next, [this.id]: key } as T;
        })(),
      );
      return this.#emit('patched', patched);
    } catch (error) {
      // A unique-field Conflict names the field for internal callers only.
      throw conflictForCaller(error, params);
    }
  }

  /** Removes the record and resolves with it. @throws NotFound when missing. */
  async remove(id: Id, params?: Params): Promise<T> {
    const removed = this.#run(() =>
      this.#db.transaction(() => {
        const row = this.#selectOne(id, params);
        this.#db.prepare(`DELETE FROM ${quote(this.table)} WHERE id = ?`).run(row.id);
        return this.#toRecord(row);
      })(),
    );
    return this.#emit('removed', removed);
  }

  /** Closes the database; later calls reject with `Unavailable`. Idempotent. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #selectOne(id: Id, params: Params | undefined): Row {
    if (typeof id !== 'string' && typeof id !== 'number') throw new BadRequest(`Invalid ${this.id}`);
    const { filters } = parseQuery(params?.query);
    const key = this.#normalise(id);
    const where =
      key === undefined ? undefined : whereClause(filters, this.#target, { sql: 'id = ?', params: [key] });
    const row =
      where &&
      (this.#db.prepare(`SELECT id, data FROM ${quote(this.table)}${where.sql}`).get(...where.params) as
        Row | undefined);
    if (!row) throw new NotFound(`No record found for id '${id}'`);
    return row;
  }

  // A JWT `sub` is always a string: see normaliseId.
  #normalise(id: unknown): Id | undefined {
    return normaliseId(id, this.#idType);
  }

  #toRecord(row: Row): T {
    // A row written by hand or before prototype keys were dropped still never supplies a prototype.
    return { ...parseRecordJson(row.data), [this.id]: row.id } as T;
  }

  #run<R>(work: () => R): R {
    try {
      return work();
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw toStoreError(error, (column) => (column.startsWith('u_') ? column.slice(2) : this.id));
    }
  }

  #emit(event: 'created' | 'patched' | 'removed', record: T): T {
    // Listeners get their own copy: one mutating it must not change the caller's result.
    if (this.listenerCount(event) > 0) this.emit(event, structuredClone(record));
    return record;
  }
}
