import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { BadRequest, Conflict, NotFound, PLAIN_READ, parseQuery, selectFields } from '@org/core';
import {
  assertKnownOptions,
  configError,
  cloneJson,
  toRecordData,
  normaliseId,
  assertIdNotChosenExternally,
  nextGeneratedId,
  conflictForCaller,
  checkPaginate,
  resolvePaging,
} from '@org/core/internal';
import type { EntityService, Id, Page, PaginateOptions, Params, QueryFilter } from '@org/core';
import { comparator, matches } from './record-match.ts';

type Entity = Record<string, any>;

/** Options for {@link MemoryService} and {@link memoryAdapter}. */
export interface MemoryAdapterOptions {
  /**
   * The id field.
   * @defaultValue `'id'`
   */
  id?: string;
  /**
   * The type of the ids the store assigns: auto-increment numbers from 1, or random UUID strings.
   * @defaultValue `'number'`
   */
  idType?: 'number' | 'string';
  /**
   * Top-level fields whose non-null values must be unique; a duplicate is a `Conflict` (409).
   * @defaultValue `[]`
   */
  uniqueFields?: string[];
  /**
   * Records to start with (copied); each needs a valid, distinct id.
   * @defaultValue `[]`
   */
  records?: Array<Record<string, any>>;
  /**
   * Feathers' pagination: `find` resolves with `{ total, limit, skip, data }`, `$limit` defaults to
   * `default` and is lowered to `max`; `params.paginate: false` turns it off for one call.
   * @defaultValue none (`find` resolves with an array)
   */
  paginate?: PaginateOptions;
  /**
   * The first id assigned (number ids), as Feathers' memory service's `startId`.
   * @defaultValue 1
   */
  startId?: number;
}

/** What `find` resolves with: a page when the service paginates, else an array. */
export type FindResult<T, Paged extends boolean> = Paged extends true ? T[] | Page<T> : T[];

const KNOWN_OPTIONS = ['id', 'idType', 'uniqueFields', 'records', 'paginate', 'startId'] as const;
const FIELD = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * An {@link EntityService} on a `Map`, for tests and prototypes: it behaves exactly like the SQL
 * adapters (same query language, JSON values, copies in and out, `Conflict` on unique fields, events).
 *
 * Every read and write is synchronous under the hood, so concurrent calls never interleave and a
 * unique value can never be taken twice.
 *
 * @example
 * ```ts
 * const users = new MemoryService({ uniqueFields: ['email'] });
 * const user = await users.create({ email: 'ada@example.com' }); // { email: 'ada@example.com', id: 1 }
 * users.on('removed', (record) => cache.delete(record.id));
 * await users.find({ query: { email: 'ada@example.com', $limit: 1 } });
 * ```
 */
export class MemoryService<T extends Record<string, any> = Record<string, any>, Paged extends boolean = false>
  extends EventEmitter
  implements EntityService<T>
{
  /** The id field. */
  readonly id: string;
  readonly #idType: 'number' | 'string';
  readonly #uniqueFields: readonly string[];
  readonly #store = new Map<Id, Entity>();
  readonly #paginate: PaginateOptions | undefined;
  #nextId: number;

  /**
   * @param options - See {@link MemoryAdapterOptions}.
   * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
   */
  constructor(options: MemoryAdapterOptions = {}) {
    super();
    assertKnownOptions(options, KNOWN_OPTIONS, 'memoryAdapter');
    const { id = 'id', idType = 'number', uniqueFields = [], records = [], startId = 1 } = options;
    this.#paginate = checkPaginate(options.paginate, 'memoryAdapter');
    if (!Number.isSafeInteger(startId)) throw configError('memoryAdapter: `startId` must be a safe integer');
    this.#nextId = startId;
    if (typeof id !== 'string' || !FIELD.test(id))
      throw configError('memoryAdapter: `id` must be a field name');
    if (idType !== 'number' && idType !== 'string') {
      throw configError('memoryAdapter: `idType` must be "number" or "string"');
    }
    if (!Array.isArray(uniqueFields) || !uniqueFields.every((f) => typeof f === 'string' && FIELD.test(f))) {
      throw configError('memoryAdapter: `uniqueFields` must be an array of field names');
    }
    if (!Array.isArray(records)) throw configError('memoryAdapter: `records` must be an array of records');
    this.id = id;
    this.#idType = idType;
    this.#uniqueFields = uniqueFields.filter((f) => f !== id);
    for (const record of records) this.#insert(record);
  }

  /**
   * Resolves with a copy of the record. A plain read (`PLAIN_READ` of `@org/core`): it depends only on the id and
   * `params.query`. @throws NotFound when no record has this id (or it does not match `params.query`).
   */
  async get(id: Id, params?: Params): Promise<T> {
    return this.#copy(this.#find(id, params)[1]) as T;
  }

  static {
    // Marked on the method function itself, so a subclass or wrapper that replaces `get` is not plain.
    Object.defineProperty(MemoryService.prototype.get, PLAIN_READ, { value: true });
  }

  /**
   * Resolves with the records matching `params.query`, in creation order unless `$sort` says otherwise:
   * a page `{ total, limit, skip, data }` when the service paginates (and `params.paginate` is not `false`).
   */
  async find(params?: Params): Promise<FindResult<T, Paged>> {
    const query = parseQuery(params?.query);
    const { paginated, limit } = resolvePaging(this.#paginate, params, query.limit);
    const filters = this.#idFilters(query.filters);
    let records = filters ? [...this.#store.values()].filter((r) => matches(r, filters)) : [];
    if (query.sort.length > 0) records.sort(comparator(query.sort));
    const total = records.length;
    records = records.slice(query.skip, limit === undefined ? undefined : query.skip + limit);
    const data = records.map((r) => selectFields(this.#copy(r), query.select, this.id) as T);
    return (paginated ? { total, limit: limit ?? total, skip: query.skip, data } : data) as FindResult<
      T,
      Paged
    >;
  }

  /**
   * Creates a record; the store assigns the id unless `data` carries one (internal calls only).
   * @throws Conflict on a taken unique value or id.
   * @throws BadRequest when an external call (`params.provider`) carries an id, or the id is invalid.
   * @throws GeneralError when generated ids have reached `Number.MAX_SAFE_INTEGER` (nothing is stored).
   */
  async create(data: Partial<T>, params?: Params): Promise<T> {
    try {
      const record = this.#insert(data, params);
      return this.#emit('created', record);
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
      const [key, current] = this.#find(id, params);
      const next = { ...current, ...changes };
      this.#assertUnique(next, key);
      this.#store.set(key, next);
      return this.#emit('patched', next);
    } catch (error) {
      // A unique-field Conflict names the field for internal callers only.
      throw conflictForCaller(error, params);
    }
  }

  /** Removes the record and resolves with it. @throws NotFound when missing. */
  async remove(id: Id, params?: Params): Promise<T> {
    const [key, record] = this.#find(id, params);
    this.#store.delete(key);
    return this.#emit('removed', record);
  }

  #insert(data: unknown, params?: Params): Entity {
    const record = toRecordData(data);
    const given = assertIdNotChosenExternally(record, this.id, params);
    let key: Id;
    if (given === undefined || given === null) {
      key = this.#idType === 'number' ? nextGeneratedId(this.#nextId) : randomUUID();
    } else {
      const normalised = this.#normalise(given);
      if (normalised === undefined) throw new BadRequest(`Invalid ${this.id}`);
      key = normalised;
      if (this.#store.has(key)) throw new Conflict(`A record with this ${this.id} already exists`);
    }
    this.#assertUnique(record, key);
    // Never past MAX_SAFE_INTEGER + 1: nextGeneratedId refuses that value instead of rounding it.
    if (typeof key === 'number')
      this.#nextId = Math.max(this.#nextId, Math.min(key + 1, Number.MAX_SAFE_INTEGER + 1));
    const stored = { ...record, [this.id]: key };
    this.#store.set(key, stored);
    return stored;
  }

  #assertUnique(record: Entity, self: Id): void {
    for (const field of this.#uniqueFields) {
      const value = record[field];
      if (value === null || value === undefined) continue;
      for (const [key, other] of this.#store) {
        if (key !== self && other[field] === value)
          throw new Conflict(`A record with this ${field} already exists`);
      }
    }
  }

  // A JWT `sub` is always a string: see normaliseId.
  #normalise(id: unknown): Id | undefined {
    return normaliseId(id, this.#idType);
  }

  // Filters on the id compare normalised ids; `undefined` when one can match no record at all.
  #idFilters(filters: QueryFilter[]): QueryFilter[] | undefined {
    const result: QueryFilter[] = [];
    for (const filter of filters) {
      if (filter.field !== this.id) {
        result.push(filter);
        continue;
      }
      const value = filter.value === null ? undefined : this.#normalise(filter.value);
      if (value === undefined) return undefined;
      result.push({ ...filter, value });
    }
    return result;
  }

  #find(id: Id, params: Params | undefined): [Id, Entity] {
    if (typeof id !== 'string' && typeof id !== 'number') throw new BadRequest(`Invalid ${this.id}`);
    const filters = this.#idFilters(parseQuery(params?.query).filters);
    const key = this.#normalise(id);
    const record = key === undefined ? undefined : this.#store.get(key);
    if (key === undefined || !record || !filters || !matches(record, filters)) {
      throw new NotFound(`No record found for id '${id}'`);
    }
    return [key, record];
  }

  // Every stored record went through toRecordData (a JSON copy), so a plain recursive copy is exact
  // and several times cheaper than structuredClone on the per-request read.
  #copy(record: Entity): Entity {
    return cloneJson(record);
  }

  #emit(event: 'created' | 'patched' | 'removed', record: Entity): T {
    // Listeners get their own copy: one mutating it must not change the store or the caller's result.
    if (this.listenerCount(event) > 0) this.emit(event, this.#copy(record));
    return this.#copy(record) as T;
  }
}
