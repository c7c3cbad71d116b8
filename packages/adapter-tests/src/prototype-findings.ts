const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Where `value` could supply a prototype: every own `__proto__`, `constructor` or `prototype` key and
 * every object whose prototype is neither `Object.prototype`, `Array.prototype` nor `null`, at any depth.
 * An empty list means a record is safe to copy, merge or read fields from (invariant 11).
 *
 * @param value - A record, an array, a page, an authentication result...
 * @param path - The path printed for `value` itself.
 * @returns The findings as `path: what`, e.g. `user.__proto__: own key`.
 * @example
 * ```ts
 * expect(prototypeFindings(await users.get(id))).toEqual([]);
 * ```
 */
export function prototypeFindings(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object') return [];
  const findings: string[] = [];
  const proto = Object.getPrototypeOf(value);
  const expected = Array.isArray(value) ? Array.prototype : Object.prototype;
  if (proto !== expected && proto !== null) findings.push(`${path}: foreign prototype`);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') continue;
    if (PROTOTYPE_KEYS.includes(key)) findings.push(`${path}.${key}: own key`);
    findings.push(...prototypeFindings((value as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return findings;
}

/**
 * The JSON bodies that try to supply a prototype: for each of `__proto__`, `constructor` and
 * `prototype`, at the top level, in a nested object, in an array and in an object inside an array, each
 * carrying `{ "isAdmin": true }`. Parsed with `JSON.parse`, as a server parses a request body, so the
 * keys are own data properties.
 *
 * @param base - The fields every body carries besides the attack (a name, a unique email...).
 * @returns `[label, body]` pairs.
 * @example
 * ```ts
 * for (const [label, body] of prototypeAttackBodies({ name: 'Eve' })) await users.create(body);
 * ```
 */
export function prototypeAttackBodies(
  base: Record<string, unknown> = {},
): Array<[string, Record<string, unknown>]> {
  const bodies: Array<[string, Record<string, unknown>]> = [];
  const payload = '{"isAdmin":true}';
  for (const key of PROTOTYPE_KEYS) {
    const placements: Array<[string, string]> = [
      ['top level', `{"${key}":${payload}}`],
      ['nested object', `{"profile":{"city":"Paris","${key}":${payload}}}`],
      ['array', `{"tags":["a",{"${key}":${payload}}]}`],
      ['array of objects', `{"roles":[{"name":"user","${key}":${payload}}]}`],
      ['with an authentication member', `{"authentication":{},"${key}":${payload}}`],
    ];
    for (const [where, json] of placements) {
      bodies.push([`${key} (${where})`, { ...base, ...(JSON.parse(json) as Record<string, unknown>) }]);
    }
  }
  return bodies;
}
