import type { ParsedQuery, QueryFilter } from '@org/core';
import { quote, uniqueColumn, uniqueValue } from './sqlite-schema.ts';

/** What the query builder needs to know about the table. */
export interface QueryTarget {
  idField: string;
  uniqueFields: ReadonlySet<string>;
  /** Normalises an id value; `undefined` when it can be no id of this table. */
  normaliseId(value: unknown): string | number | undefined;
}

/** A SQL fragment with its bound parameters; values are never interpolated. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

// Path segments are whitelisted by parseQuery ([A-Za-z0-9_-]), so quoting them cannot break out of the path;
// the path is still bound as a parameter.
function jsonPath(path: readonly string[]): string {
  return `$${path.map((segment) => `."${segment}"`).join('')}`;
}

function condition(filter: QueryFilter, target: QueryTarget): SqlFragment | undefined {
  const { path, value } = filter;
  if (path.length === 1 && path[0] === target.idField) {
    const id = value === null ? undefined : target.normaliseId(value);
    return id === undefined ? undefined : { sql: 'id = ?', params: [id] };
  }
  if (path.length === 1 && target.uniqueFields.has(path[0]!)) {
    const column = quote(uniqueColumn(path[0]!));
    return value === null
      ? { sql: `${column} IS NULL`, params: [] }
      : { sql: `${column} = ?`, params: [uniqueValue(value)] };
  }
  const p = jsonPath(path);
  // Type-exact equality, like the memory adapter: 36 never matches "36", and true never matches 1.
  if (value === null) return { sql: 'json_extract(data, ?) IS NULL', params: [p] };
  if (typeof value === 'boolean') return { sql: 'json_type(data, ?) = ?', params: [p, String(value)] };
  if (typeof value === 'number') {
    return {
      sql: `(json_type(data, ?) IN ('integer', 'real') AND json_extract(data, ?) = ?)`,
      params: [p, p, value],
    };
  }
  return { sql: `(json_type(data, ?) = 'text' AND json_extract(data, ?) = ?)`, params: [p, p, value] };
}

/** The WHERE clause for the filters (with a leading ` WHERE`), or `undefined` when no row can match. */
export function whereClause(
  filters: readonly QueryFilter[],
  target: QueryTarget,
  extra?: SqlFragment,
): SqlFragment | undefined {
  const parts: SqlFragment[] = extra ? [extra] : [];
  for (const filter of filters) {
    const part = condition(filter, target);
    if (!part) return undefined;
    parts.push(part);
  }
  if (parts.length === 0) return { sql: '', params: [] };
  return { sql: ` WHERE ${parts.map((p) => p.sql).join(' AND ')}`, params: parts.flatMap((p) => p.params) };
}

/** ORDER BY, LIMIT and OFFSET; ties (and no `$sort`) fall back to creation order. */
export function pagingClause(query: ParsedQuery, target: QueryTarget): SqlFragment {
  const keys: SqlFragment[] = query.sort.map(({ path, direction }) => {
    const dir = direction === 1 ? 'ASC' : 'DESC';
    if (path.length === 1 && path[0] === target.idField) return { sql: `id ${dir}`, params: [] };
    return { sql: `json_extract(data, ?) ${dir}`, params: [jsonPath(path)] };
  });
  keys.push({ sql: 'rowid ASC', params: [] });
  return {
    sql: ` ORDER BY ${keys.map((k) => k.sql).join(', ')} LIMIT ? OFFSET ?`,
    params: [...keys.flatMap((k) => k.params), query.limit ?? -1, query.skip],
  };
}
