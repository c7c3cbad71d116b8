import type { ParsedQuery, QueryFilter } from '@org/core';
import { quote, uniqueColumn } from './postgres-schema.ts';
import { isStorableJson } from './postgres-text.ts';

/** What the query builder needs to know about the table. */
export interface QueryTarget {
  idField: string;
  uniqueFields: ReadonlySet<string>;
  /** Normalises an id value; `undefined` when it can be no id of this table. */
  normaliseId(value: unknown): string | number | undefined;
}

/**
 * Collects bound parameters: every value goes through `add`, which returns its `$n` placeholder, so
 * no value is ever interpolated into SQL text.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function condition(filter: QueryFilter, target: QueryTarget, params: SqlParams): string | undefined {
  const { path, value } = filter;
  if (path.length === 1 && path[0] === target.idField) {
    const id = value === null ? undefined : target.normaliseId(value);
    return id === undefined ? undefined : `id = ${params.add(id)}`;
  }
  const json = JSON.stringify(value);
  // A value no row can hold matches no row (a login with such a username is a plain 401, not a 500).
  if (!isStorableJson(json)) return undefined;
  if (path.length === 1 && target.uniqueFields.has(path[0]!)) {
    const column = quote(uniqueColumn(path[0]!));
    return value === null ? `${column} IS NULL` : `${column} = ${params.add(json)}::jsonb`;
  }
  const at = `data #> ${params.add(path)}::text[]`;
  // JSONB equality is type-exact, like the memory adapter: 36 never matches "36", and true never matches 1.
  if (value === null) return `COALESCE(${at}, 'null'::jsonb) = 'null'::jsonb`;
  return `${at} = ${params.add(json)}::jsonb`;
}

/** The WHERE clause (with a leading ` WHERE`), or `undefined` when no row can match. */
export function whereClause(
  filters: readonly QueryFilter[],
  target: QueryTarget,
  params: SqlParams,
  extra?: string,
): string | undefined {
  const parts = extra ? [extra] : [];
  for (const filter of filters) {
    const part = condition(filter, target, params);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`;
}

/**
 * ORDER BY, LIMIT and OFFSET. Each sort key orders by type first (missing/null, numbers, strings,
 * others), then numerically or by code point (`COLLATE "C"`, not the database's locale), so every
 * adapter sorts alike; ties (and no `$sort`) fall back to creation order.
 */
export function pagingClause(query: ParsedQuery, target: QueryTarget, params: SqlParams): string {
  const keys = query.sort.flatMap(({ path, direction }) => {
    const dir = direction === 1 ? 'ASC' : 'DESC';
    if (path.length === 1 && path[0] === target.idField) return [`id ${dir}`];
    const v = `(data #> ${params.add(path)}::text[])`;
    return [
      `CASE WHEN ${v} IS NULL OR jsonb_typeof(${v}) = 'null' THEN 0 WHEN jsonb_typeof(${v}) = 'number' THEN 1
        WHEN jsonb_typeof(${v}) = 'string' THEN 2 ELSE 3 END ${dir}`,
      `CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::numeric END ${dir}`,
      `CASE WHEN jsonb_typeof(${v}) = 'number' THEN NULL ELSE ${v} #>> '{}' END COLLATE "C" ${dir}`,
    ];
  });
  keys.push('seq ASC');
  return ` ORDER BY ${keys.join(', ')} LIMIT ${params.add(query.limit ?? null)} OFFSET ${params.add(query.skip)}`;
}
