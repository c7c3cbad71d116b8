import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  AuthError,
  BadRequest,
  GeneralError,
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
  withoutPrototypeKeys,
  assertIdNotChosenExternally,
  nextGeneratedId,
  conflictForCaller,
  checkPaginate,
  resolvePaging,
} from '@org/core/internal';
import { isUnavailable, toStoreError } from './postgres-errors.ts';
import { SqlParams, pagingClause, whereClause, type QueryTarget } from './postgres-query.ts';
import { isStorableJson } from './postgres-text.ts';
import { migrate, qualified, quote, uniqueColumn, uniqueIndex, type TableLayout } from './postgres-schema.ts';

/** Options for {@link PostgresService} and {@link postgresAdapter}: give exactly one of `pool` and `connectionString`. */
export interface PostgresAdapterOptions {
  /** A `pg` Pool to use (shared with the rest of the app; `close()` leaves it open). */
  pool?: pg.Pool;
  /**
   * A connection string (`postgres://user@host:5432/db`); the adapter then owns a pool with a 5 s
   * connection timeout, ended by `close()`.
   */
  connectionString?: string;
  /** The table; created or migrated on start. Letters, digits and `_`, starting with a letter or `_`, at most 40. */
  table: string;
  /**
   * The schema holding the table (created if missing) and the `_org_entity_schema` version table.
   * @defaultValue `'public'`
   */
  schema?: string;
  /**
   * The id field of the records.
   * @defaultValue `'id'`
   */
  id?: string;
  /**
   * Auto-increment `bigint` ids (returned as numbers), or random UUID strings.
   * @defaultValue `'number'`
   */
  idType?: 'number' | 'string';
  /**
   * Top-level fields whose non-null values must be unique, enforced by a UNIQUE index; a duplicate is a
   * `Conflict` (409). Adding or removing a field migrates the table on the next start.
   * @defaultValue `[]`
   */
  uniqueFields?: string[];
  /**
   * Feathers' pagination: `find` resolves with `{ total, limit, skip, data }`, `$limit` defaults to
   * `default` and is lowered to `max`; `params.paginate: false` turns it off for one call.
   * @defaultValue none (`find` resolves with an array)
   */
  paginate?: PaginateOptions;
  /**
   * The first id generated for number ids (Feathers' memory service's `startId`): a new table's identity
   * starts there, and no generated id is ever below it. A table that already has rows keeps generating
   * after the highest id its sequence has handed out when that is above `startId` (ids are never reused);
   * raising `startId` moves generation up at the next start, lowering it never moves it down.
   * A safe integer of at least 1, for `idType: 'number'` only.
   * @defaultValue `1`
   */
  startId?: number;
}

const KNOWN_OPTIONS = [
  'pool',
  'connectionString',
  'table',
  'schema',
  'id',
  'idType',
  'uniqueFields',
  'paginate',
  'startId',
] as const;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,19}$/;

type Row = { id: Id; data: Record<string, unknown> };

/** What `find` resolves with: a page when the service paginates, else an array. */
export type FindResult<T, Paged extends boolean> = Paged extends true ? T[] | Page<T> : T[];

/** The JSON text of a record to write. @throws BadRequest when it holds text PostgreSQL cannot store. */
function storableJson(record: Record<string, unknown>): string {
  const json = JSON.stringify(record);
  if (!isStorableJson(json)) {
    throw new BadRequest(
      'The data holds text PostgreSQL cannot store (a NUL character or an unpaired surrogate)',
    );
  }
  return json;
}

// One 'error' listener per pool, however many adapters share it (no MaxListenersExceededWarning).
const guardedPools = new WeakSet<pg.Pool>();

/**
 * An {@link EntityService} on PostgreSQL through a `pg` Pool: the choice for many instances. Each record
 * is a row with its id, a JSONB document, and a JSONB column per unique field under a UNIQUE index.
 *
 * Every statement is parameterised; identifiers come only from validated options. When the database is
 * down (refused, terminated, timed out), calls reject with `Unavailable` (503, `store-unavailable`), and
 * succeed again once it is back: the pool replaces broken connections and a failed start is retried.
 *
 * @example
 * ```ts
 * const users = new PostgresService({ connectionString: process.env.DATABASE_URL, table: 'users', uniqueFields: ['email'] });
 * await users.start(); // optional: creates or migrates the table now instead of on the first call
 * const user = await users.create({ email: 'ada@example.com' }); // { email: 'ada@example.com', id: 1 }
 * await users.close();
 * ```
 */
export class PostgresService<
  T extends Record<string, any> = Record<string, any>,
  Paged extends boolean = false,
>
  extends EventEmitter
  implements EntityService<T>
{
  /** The id field. */
  readonly id: string;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #layout: TableLayout;
  readonly #target: QueryTarget;
  readonly #paginate: PaginateOptions | undefined;
  readonly #fieldOfConstraint: Map<string, string>;
  #started: Promise<void> | undefined;
  #loggedStartFailure: string | undefined;

  /**
   * @param options - See {@link PostgresAdapterOptions}. Nothing connects until `start()` or the first call.
   * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
   */
  constructor(options: PostgresAdapterOptions) {
    super();
    if (options === null || typeof options !== 'object')
      throw configError('postgresAdapter: options are required');
    assertKnownOptions(options, KNOWN_OPTIONS, 'postgresAdapter');
    const {
      pool,
      connectionString,
      table,
      schema = 'public',
      id = 'id',
      idType = 'number',
      uniqueFields = [],
      startId = 1,
    } = options;
    if ((pool === undefined) === (connectionString === undefined)) {
      throw configError('postgresAdapter: give exactly one of `pool` and `connectionString`');
    }
    if (pool !== undefined && typeof (pool as { query?: unknown }).query !== 'function') {
      throw configError('postgresAdapter: `pool` must be a pg Pool');
    }
    if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
      throw configError('postgresAdapter: `connectionString` must be a non-empty string');
    }
    for (const [name, value] of [
      ['table', table],
      ['schema', schema],
    ] as const) {
      if (typeof value !== 'string' || !TABLE.test(value) || value.startsWith('_org_')) {
        throw configError(
          `postgresAdapter: \`${name}\` must match /^[A-Za-z_][A-Za-z0-9_]{0,39}$/ (and not start with _org_)`,
        );
      }
    }
    if (typeof id !== 'string' || !FIELD.test(id))
      throw configError('postgresAdapter: `id` must be a field name');
    if (idType !== 'number' && idType !== 'string')
      throw configError('postgresAdapter: `idType` must be "number" or "string"');
    if (!Array.isArray(uniqueFields) || !uniqueFields.every((f) => typeof f === 'string' && FIELD.test(f))) {
      throw configError(
        'postgresAdapter: `uniqueFields` must be an array of top-level field names (at most 20 characters)',
      );
    }
    if (!Number.isSafeInteger(startId) || startId < 1)
      throw configError('postgresAdapter: `startId` must be a safe integer of at least 1');
    // An option that cannot take effect is refused, never silently ignored.
    if (options.startId !== undefined && idType !== 'number')
      throw configError('postgresAdapter: `startId` applies to number ids only (`idType` is "string")');

    this.#paginate = checkPaginate(options.paginate, 'postgresAdapter');
    this.id = id;
    const unique = [...new Set(uniqueFields.filter((f) => f !== id))];
    this.#layout = { schema, table, idType, uniqueFields: unique, startId };
    this.#target = { idField: id, uniqueFields: new Set(unique), normaliseId: (v) => this.#normalise(v) };
    this.#fieldOfConstraint = new Map([
      [`${table}_pkey`, id],
      ...unique.map((f) => [uniqueIndex(table, f), f] as const),
    ]);
    this.#ownsPool = pool === undefined;
    this.#pool = pool ?? new pg.Pool({ connectionString, connectionTimeoutMillis: 5000 });
    // An idle client whose server goes away emits 'error' on the pool; unhandled, that would crash the
    // process. The pool already drops the client, and the next call reports 503 or reconnects.
    if (!guardedPools.has(this.#pool)) {
      guardedPools.add(this.#pool);
      this.#pool.on('error', () => undefined);
    }
  }

  /**
   * Creates or migrates the table (once; a failure is retried on the next call). Calling it is optional.
   * @throws Unavailable (`store-unavailable`) when the database cannot be reached.
   * @throws GeneralError (`general-error`, message `General error`) when the migration fails: the
   *   database's text is in `error.cause.message` and in a process warning (`ORG_POSTGRES_MIGRATION_FAILED`,
   *   once per distinct failure), never in the message a client receives.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const client = await this.#pool.connect();
      try {
        await migrate(client, this.#layout);
        client.release();
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    })().catch((error: unknown) => {
      this.#started = undefined;
      throw this.#startError(error);
    });
    return this.#started;
  }

  /** Resolves with the record. @throws NotFound when no record has this id (or it does not match `params.query`). */
  async get(id: Id, params?: Params): Promise<T> {
    const query = new SqlParams();
    const where = this.#byId(id, params, query);
    const rows =
      where === undefined
        ? undefined
        : await this.#query(`SELECT id, data FROM ${qualified(this.#layout)}${where}`, query);
    return this.#one(id, rows);
  }

  /**
   * Resolves with the records matching `params.query`, in creation order unless `$sort` says otherwise:
   * a page `{ total, limit, skip, data }` when the service paginates (and `params.paginate` is not `false`).
   */
  async find(params?: Params): Promise<FindResult<T, Paged>> {
    const parsed = parseQuery(params?.query);
    const { paginated, limit } = resolvePaging(this.#paginate, params, parsed.limit);
    const query = new SqlParams();
    const where = whereClause(parsed.filters, this.#target, query);
    let data: T[] = [];
    let total = 0;
    if (where !== undefined) {
      const paging = pagingClause({ ...parsed, limit }, this.#target, query);
      // One statement: the count is over the same snapshot as the page.
      const count = paginated ? `, count(*) OVER () AS total` : '';
      const rows = await this.#query(
        `SELECT id, data${count} FROM ${qualified(this.#layout)}${where}${paging}`,
        query,
      );
      data = rows.map((row) => selectFields(this.#toRecord(row), parsed.select, this.id));
      total = Number((rows[0] as { total?: string } | undefined)?.total ?? 0);
      if (paginated && rows.length === 0) {
        // An empty page (past the end, or $limit 0) has no row to carry the count.
        const counting = new SqlParams();
        const countWhere = whereClause(parsed.filters, this.#target, counting)!;
        const [row] = await this.#query(
          `SELECT count(*) AS id, '{}'::jsonb AS data FROM ${qualified(this.#layout)}${countWhere}`,
          counting,
        );
        total = Number(row!.id);
      }
    }
    return (paginated ? { total, limit: limit ?? total, skip: parsed.skip, data } : data) as FindResult<
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
      } else if (this.#layout.idType === 'string') {
        id = randomUUID();
      }
      const query = new SqlParams();
      const columns = ['data'];
      const values = [`${query.add(storableJson(record))}::jsonb`];
      for (const field of this.#layout.uniqueFields) {
        columns.push(quote(uniqueColumn(field)));
        const value = record[field];
        values.push(
          value === null || value === undefined ? 'NULL' : `${query.add(JSON.stringify(value))}::jsonb`,
        );
      }
      const table = qualified(this.#layout);
      let sql: string;
      if (id === undefined) {
        // The identity would go past 2^53 - 1, where ids stop round-tripping through JavaScript numbers:
        // take the next value explicitly and insert nothing beyond the safe range.
        sql = `INSERT INTO ${table} (id, ${columns.join(', ')})
          SELECT next.id, ${values.join(', ')}
          FROM (SELECT nextval(pg_get_serial_sequence(${query.add(table)}, 'id')) AS id) AS next
          WHERE next.id <= ${Number.MAX_SAFE_INTEGER}
          RETURNING id, data`;
      } else {
        sql = `INSERT INTO ${table} (id, ${columns.join(', ')}) VALUES (${query.add(id)}, ${values.join(', ')}) RETURNING id, data`;
      }
      if (typeof id === 'number') {
        // An explicit numeric id must move the identity sequence past it, or a later generated id collides.
        // Never down either: not below startId - 1, nor below what the sequence has handed out (the ids
        // of removed records are not generated again). pg_sequence_last_value is NULL before the first
        // nextval, which GREATEST ignores.
        const sequence = `pg_get_serial_sequence(${query.add(table)}, 'id')`;
        sql = `WITH created AS (${sql}), bumped AS (
          SELECT setval(${sequence}, GREATEST(created.id, (SELECT COALESCE(MAX(id), 1) FROM ${table}), ${query.add(this.#layout.startId - 1)}::bigint, pg_sequence_last_value(${sequence}::regclass)))
          FROM created
        ) SELECT created.id, created.data FROM created, bumped`;
      }
      const [row] = await this.#query(sql, query);
      // No row: the sequence is past the safe range, and nothing was stored.
      if (row === undefined) return nextGeneratedId(Number.NaN) as never;
      return this.#emit('created', this.#toRecord(row));
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
      const query = new SqlParams();
      // One UPDATE merging in SQL: the row lock makes concurrent patches of different fields all land.
      const merged = `(data || ${query.add(storableJson(changes))}::jsonb)`;
      const sets = [`data = ${merged}`];
      for (const field of this.#layout.uniqueFields) {
        sets.push(
          `${quote(uniqueColumn(field))} = NULLIF(${merged} -> ${query.add(field)}::text, 'null'::jsonb)`,
        );
      }
      const where = this.#byId(id, params, query);
      const rows =
        where === undefined
          ? undefined
          : await this.#query(
              `UPDATE ${qualified(this.#layout)} SET ${sets.join(', ')}${where} RETURNING id, data`,
              query,
            );
      return this.#emit('patched', this.#one(id, rows));
    } catch (error) {
      // A unique-field Conflict names the field for internal callers only.
      throw conflictForCaller(error, params);
    }
  }

  /** Removes the record and resolves with it. @throws NotFound when missing. */
  async remove(id: Id, params?: Params): Promise<T> {
    const query = new SqlParams();
    const where = this.#byId(id, params, query);
    const rows =
      where === undefined
        ? undefined
        : await this.#query(`DELETE FROM ${qualified(this.#layout)}${where} RETURNING id, data`, query);
    return this.#emit('removed', this.#one(id, rows));
  }

  /** Ends the pool if the adapter created it (from `connectionString`); a pool passed in stays open. */
  async close(): Promise<void> {
    if (this.#ownsPool && !this.#pool.ended) await this.#pool.end();
  }

  #byId(id: Id, params: Params | undefined, query: SqlParams): string | undefined {
    if (typeof id !== 'string' && typeof id !== 'number') throw new BadRequest(`Invalid ${this.id}`);
    const { filters } = parseQuery(params?.query);
    const key = this.#normalise(id);
    return key === undefined
      ? undefined
      : whereClause(filters, this.#target, query, `id = ${query.add(key)}`);
  }

  #one(id: Id, rows: Row[] | undefined): T {
    const row = rows?.[0];
    if (!row) throw new NotFound(`No record found for id '${id}'`);
    return this.#toRecord(row);
  }

  async #query(sql: string, query: SqlParams): Promise<Row[]> {
    await this.start();
    try {
      return (await this.#pool.query<Row>(sql, query.values)).rows;
    } catch (error) {
      throw this.#storeError(error);
    }
  }

  // The database's own text (relation names, SQL) stays server-side: it is logged once per distinct
  // failure (a failed start is retried on every call) and kept as the cause; clients get 'General error'.
  #startError(error: unknown): AuthError {
    if (error instanceof AuthError) return error;
    if (isUnavailable(error)) return this.#storeError(error);
    const table = `${this.#layout.schema}.${this.#layout.table}`;
    const detail =
      (error as { code?: unknown }).code === '23505'
        ? `Cannot add a unique field to ${table}: existing records hold duplicate values`
        : `Cannot create or migrate ${table}: ${error instanceof Error ? error.message : 'unexpected error'}`;
    if (detail !== this.#loggedStartFailure) {
      this.#loggedStartFailure = detail;
      process.emitWarning(detail, { code: 'ORG_POSTGRES_MIGRATION_FAILED' });
    }
    return new GeneralError('General error', { cause: new Error(detail, { cause: error }) });
  }

  #storeError(error: unknown): AuthError {
    if (error instanceof AuthError) return error;
    return toStoreError(error, (constraint) => this.#fieldOfConstraint.get(constraint) ?? this.id);
  }

  // A JWT `sub` is always a string: see normaliseId. A string the id column cannot hold is no id here.
  #normalise(id: unknown): Id | undefined {
    const key = normaliseId(id, this.#layout.idType);
    return typeof key === 'string' && !isStorableJson(JSON.stringify(key)) ? undefined : key;
  }

  #toRecord(row: Row): T {
    // pg returns bigint as a string; ids stay within Number.MAX_SAFE_INTEGER.
    const id = this.#layout.idType === 'number' ? Number(row.id) : row.id;
    // A row written by hand or before prototype keys were dropped still never supplies a prototype.
    return { ...withoutPrototypeKeys(row.data), [this.id]: id } as T;
  }

  #emit(event: 'created' | 'patched' | 'removed', record: T): T {
    // Listeners get their own copy: one mutating it must not change the caller's result.
    if (this.listenerCount(event) > 0) this.emit(event, structuredClone(record));
    return record;
  }
}
