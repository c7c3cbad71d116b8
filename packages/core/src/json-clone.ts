// The per-request copy of an entity (the memory store's read, the entity cache's hit) used to be a
// `structuredClone`: for a small record it costs several times a plain recursive copy, since it
// serialises through V8's value serializer. A record that is a tree of plain objects, arrays and JSON
// primitives copies the same way by hand.

/**
 * A deep copy of JSON-shaped data: plain (or null-prototype) objects and arrays are copied, every other
 * value is returned as it is (primitives are immutable; a `Date` or class instance is shared, so only
 * call this on data known to be JSON-shaped, see {@link isJsonTree}). An own `__proto__` key is
 * dropped, never assigned (invariant 11: assigning it would set the copy's prototype); stored records
 * never hold one, since `toRecordData` drops it at the boundary.
 *
 * @param value - JSON-shaped data (a stored record).
 * @returns The copy, made of plain objects and arrays (as `structuredClone` makes them).
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const length = value.length;
    const copy: unknown[] = new Array(length);
    for (let i = 0; i < length; i++) copy[i] = cloneJson(value[i]);
    return copy as T;
  }
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__') continue;
    copy[key] = cloneJson(source[key]);
  }
  return copy as T;
}

/**
 * True when `value` is an object, not an array, none of whose enumerable members is an object or an
 * array: a shallow copy of it (a spread) is then a deep one, and several times cheaper than
 * {@link cloneJson} for a small record.
 *
 * @param value - Any value.
 * @returns Whether a spread copies it completely.
 */
export function isFlatObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const name in record) {
    const member = record[name];
    if (member !== null && typeof member === 'object') return false;
  }
  return true;
}

function copyFlat<T>(value: T): T {
  return { ...(value as object) } as T;
}

/**
 * The cheapest exact copy for data shaped like `tree`, chosen once and called on every hand-out: a spread
 * when `tree` is an object none of whose members is an object or an array (a shallow copy is then a deep
 * one), else {@link cloneJson}. Only for JSON
 * data (see {@link isJsonTree}); the copy is always made of plain objects and arrays.
 *
 * @param tree - JSON-shaped data, or a copy made of it by {@link cloneJson}.
 * @returns A function copying `tree` (and data of the same shape).
 */
export function jsonCopier<T>(tree: T): (value: T) => T {
  return isFlatObject(tree) ? copyFlat : cloneJson;
}

/**
 * True when `value` is made only of strings, finite or not numbers, booleans, `null`, `undefined`, plain
 * or null-prototype objects and arrays without extra properties, with no object reached twice (no
 * cycle, no shared branch) and no own `__proto__` key: data for which {@link cloneJson} gives what
 * `structuredClone` would. Anything else (a `Date`, a `Map`, a class instance, a function, a symbol,
 * a bigint) answers `false`, and the caller keeps `structuredClone`.
 *
 * @param value - Any value.
 * @returns Whether {@link cloneJson} copies it exactly.
 */
export function isJsonTree(value: unknown): boolean {
  return isTree(value, new Set());
}

function isTree(value: unknown, seen: Set<object>): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  const object = value as object;
  if (seen.has(object)) return false;
  seen.add(object);
  if (Array.isArray(object)) {
    // An array with holes or extra named properties is not what a JSON array copy rebuilds.
    if (Object.keys(object).length !== object.length) return false;
    return object.every((item) => isTree(item, seen));
  }
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(object)) {
    if (key === '__proto__') return false;
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined || !('value' in descriptor)) return false;
    if (!isTree(descriptor.value, seen)) return false;
  }
  return true;
}
