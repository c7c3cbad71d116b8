import { BadRequest } from './errors.ts';

// Keys that, assigned with `=` or merged with `Object.assign`, change an object's prototype or reach
// a constructor: data from outside never supplies them (invariant 11).
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True for `__proto__`, `constructor` and `prototype`: the keys a record from outside never keeps.
 * @param key - A property name.
 */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

// A JSON.parse reviver: returning undefined deletes the property, at every depth, arrays included.
function dropPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  return PROTOTYPE_KEYS.has(key) ? undefined : value;
}

/**
 * Parses a record's JSON text (a stored document) without the keys `__proto__`, `constructor` and
 * `prototype`, at any depth: a row written before they were dropped, or by hand, never supplies a prototype.
 *
 * @param text - The JSON text of an object.
 * @returns The parsed record.
 */
export function parseRecordJson(text: string): Record<string, unknown> {
  return JSON.parse(text, dropPrototypeKeys) as Record<string, unknown>;
}

/**
 * A deep copy of JSON-like data (objects and arrays) into plain objects created with `defineProperty`,
 * without the keys `__proto__`, `constructor` and `prototype` at any depth. For records a driver has
 * already parsed (a JSONB column); other values (dates, buffers) are kept as they are.
 *
 * @param value - The value to copy.
 * @returns The copy.
 */
export function withoutPrototypeKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutPrototypeKeys(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) continue;
    Object.defineProperty(copy, key, {
      value: withoutPrototypeKeys(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy as T;
}

/**
 * Copies caller data through JSON for an entity store, so every adapter keeps exactly what a SQL
 * store would (no `undefined`, dates as strings, no shared references) and never holds a caller's object.
 * The keys `__proto__`, `constructor` and `prototype` are dropped at every depth (arrays included), so
 * a sign-up body can never store a prototype that a later copy would install.
 *
 * @param data - The `create` or `patch` data.
 * @returns A plain JSON copy.
 * @throws BadRequest when the data is not a JSON-serialisable object.
 */
export function toRecordData(data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadRequest('The data must be an object');
  }
  let record: unknown;
  try {
    record = parseRecordJson(JSON.stringify(data));
  } catch {
    throw new BadRequest('The data must be JSON-serialisable');
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new BadRequest('The data must be an object');
  }
  return record as Record<string, unknown>;
}
