import type { QueryFilter, QuerySort } from '@org/core';

function valueAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** True when the record satisfies every filter (a `null` filter also matches a missing field). */
export function matches(record: Record<string, unknown>, filters: readonly QueryFilter[]): boolean {
  return filters.every(({ path, value }) => {
    const actual = valueAt(record, path);
    return value === null ? actual === null || actual === undefined : actual === value;
  });
}

// Mirrors SQLite's cross-type order (NULL < numbers < text < everything else) so every adapter sorts alike.
function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  return 3;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  const x = ra === 3 ? JSON.stringify(a) : (a as number | string);
  const y = ra === 3 ? JSON.stringify(b) : (b as number | string);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A comparator for `Array.prototype.sort` from parsed `$sort` keys (stable: ties keep creation order). */
export function comparator(sort: readonly QuerySort[]) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): number => {
    for (const { path, direction } of sort) {
      const order = compareValues(valueAt(a, path), valueAt(b, path));
      if (order !== 0) return order * direction;
    }
    return 0;
  };
}
