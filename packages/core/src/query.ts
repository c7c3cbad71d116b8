import { BadRequest } from './errors.ts';

/** A value a query may compare a field with: anything else is a 400, never an operator. */
export type QueryScalar = string | number | boolean | null;

/** One equality condition: the record's value at `path` equals `value` (`null` also matches a missing field). */
export interface QueryFilter {
  /** The field name as written in the query (`email`, `auth.email`). */
  field: string;
  /** The field name split on dots: nested fields are reached one segment at a time. */
  path: string[];
  /** The value to compare with. */
  value: QueryScalar;
}

/** One sort key, in the order the query listed it. */
export interface QuerySort {
  /** The field name as written in the query. */
  field: string;
  /** The field name split on dots. */
  path: string[];
  /** `1` ascending, `-1` descending. */
  direction: 1 | -1;
}

/** A validated query, ready for an adapter to translate: see {@link parseQuery}. */
export interface ParsedQuery {
  /** Equality conditions, all of which must hold. */
  filters: QueryFilter[];
  /** At most this many results; `undefined` for no limit. */
  limit: number | undefined;
  /** Skip this many results first (`0` when absent). */
  skip: number;
  /** Only these top-level fields (the adapter adds the id field); `undefined` for all fields. */
  select: string[] | undefined;
  /** Sort keys in priority order; empty for the store's natural (creation) order. */
  sort: QuerySort[];
}

// Letters, digits, `_` and `-` per segment, dot-separated: safe as a JSON path segment in every store,
// and never a prototype key, so a query can neither inject SQL paths nor walk `__proto__`.
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const SPECIAL_KEYS = new Set(['$limit', '$skip', '$select', '$sort']);

function invalid(message: string): BadRequest {
  return new BadRequest(message, { reason: 'invalid-query' });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fieldPath(field: string, where: string, nested: boolean): string[] {
  const path = field.split('.');
  const valid =
    (nested || path.length === 1) && path.every((s) => SEGMENT.test(s) && !FORBIDDEN_SEGMENTS.has(s));
  if (!valid) throw invalid(`Invalid field name in ${where}`);
  return path;
}

function isScalar(value: unknown): value is QueryScalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  return typeof value === 'number' && Number.isFinite(value);
}

// Query strings deliver numbers as text (`?$limit=10`): accept canonical non-negative integers only.
function count(value: unknown, key: string): number {
  const n = typeof value === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw invalid(`${key} must be a non-negative integer`);
  }
  return n;
}

function direction(value: unknown): 1 | -1 {
  if (value === 1 || value === '1') return 1;
  if (value === -1 || value === '-1') return -1;
  throw invalid('$sort directions must be 1 or -1');
}

/**
 * Validates a query and splits it into equality filters, paging, selection and sort.
 *
 * Every adapter runs its `find` (and the filters of `get`, `patch`, `remove`) through this, so all of
 * them accept exactly the same language: a field compared with a scalar, plus `$limit`, `$skip`,
 * `$select` and `$sort`. A value that is not a scalar (`{ $ne: null }`, an array, an object, a
 * function) is rejected, never interpreted: `{ "email": { "$ne": null } }` in a login body can never
 * match the first user.
 *
 * @param query - The query from `params.query`; `undefined` and `null` mean "everything".
 * @returns The validated query.
 * @throws BadRequest with reason `invalid-query` for a non-object query, a non-scalar or non-finite
 *   value, an unknown `$` key, an invalid field name, or a malformed `$limit`, `$skip`, `$select` or `$sort`.
 * @example
 * ```ts
 * parseQuery({ email: 'a@b.c', $limit: 1 });
 * // { filters: [{ field: 'email', path: ['email'], value: 'a@b.c' }], limit: 1, skip: 0, select: undefined, sort: [] }
 * parseQuery({ email: { $ne: null } }); // throws BadRequest (invalid-query)
 * ```
 */
export function parseQuery(query: unknown): ParsedQuery {
  const parsed: ParsedQuery = { filters: [], limit: undefined, skip: 0, select: undefined, sort: [] };
  if (query === undefined || query === null) return parsed;
  if (!isPlainObject(query)) throw invalid('The query must be an object');

  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (key.startsWith('$')) {
      if (!SPECIAL_KEYS.has(key))
        throw invalid(`Unsupported query operator ${JSON.stringify(key.slice(0, 32))}`);
      continue;
    }
    const path = fieldPath(key, 'the query', true);
    if (!isScalar(value))
      throw invalid(`The query value of "${key}" must be a string, number, boolean or null`);
    parsed.filters.push({ field: key, path, value });
  }

  const { $limit, $skip, $select, $sort } = query;
  if ($limit !== undefined) parsed.limit = count($limit, '$limit');
  if ($skip !== undefined) parsed.skip = count($skip, '$skip');
  if ($select !== undefined) {
    if (!Array.isArray($select) || !$select.every((f) => typeof f === 'string')) {
      throw invalid('$select must be an array of field names');
    }
    parsed.select = $select.map((f: string) => (fieldPath(f, '$select', false), f));
  }
  if ($sort !== undefined) {
    if (!isPlainObject($sort)) throw invalid('$sort must be an object of field: 1 | -1');
    for (const [field, dir] of Object.entries($sort)) {
      parsed.sort.push({ field, path: fieldPath(field, '$sort', true), direction: direction(dir) });
    }
  }
  return parsed;
}

/**
 * Applies a parsed `$select` to one record: only the selected top-level fields, plus the id field.
 *
 * @param record - The full record (not modified).
 * @param select - `ParsedQuery.select`; `undefined` returns the record as is.
 * @param idField - The id field, always kept.
 * @returns The record itself when nothing is selected, else a new object.
 */
export function selectFields<T extends Record<string, unknown>>(
  record: T,
  select: readonly string[] | undefined,
  idField: string,
): T {
  if (select === undefined) return record;
  const picked: Record<string, unknown> = { [idField]: record[idField] };
  for (const field of select) {
    if (!Object.hasOwn(record, field)) continue;
    // defineProperty: a field named `__proto__` stays data, never the prototype of the copy.
    Object.defineProperty(picked, field, {
      value: record[field],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return picked as T;
}
