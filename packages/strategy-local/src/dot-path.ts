// Dot paths ('auth.email') address nested fields, as lodash's get/set do in Feathers. Only own
// properties are read and only plain segments are written, so a path can never reach a prototype.
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function segments(path: string): string[] {
  return path.split('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * True when `path` is a usable dot path: non-empty segments, none of them `__proto__`,
 * `prototype` or `constructor`.
 */
export function isDotPath(path: unknown): path is string {
  return typeof path === 'string' && segments(path).every((s) => s !== '' && !FORBIDDEN.has(s));
}

/** The value at `path` in `target` (own properties only), or `undefined`. */
export function getPath(target: unknown, path: string): unknown {
  let current = target;
  for (const segment of segments(path)) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * A copy of `target` with `value` at `path`; the objects along the path are copied, the rest is shared.
 * Missing or non-object intermediate values become plain objects.
 */
export function setPath<T>(target: T, path: string, value: unknown): T {
  const [head, ...rest] = segments(path) as [string, ...string[]];
  if (FORBIDDEN.has(head)) return target;
  const copy: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  copy[head] = rest.length === 0 ? value : setPath(copy[head], rest.join('.'), value);
  return copy as T;
}

/** A copy of `target` without the field at `path`; `target` itself when the path is absent. */
export function omitPath<T>(target: T, path: string): T {
  const [head, ...rest] = segments(path) as [string, ...string[]];
  if (!isRecord(target) || Array.isArray(target) || !Object.hasOwn(target, head)) return target;
  const copy: Record<string, unknown> = { ...target };
  if (rest.length === 0) {
    delete copy[head];
  } else {
    copy[head] = omitPath(copy[head], rest.join('.'));
  }
  return copy as T;
}
