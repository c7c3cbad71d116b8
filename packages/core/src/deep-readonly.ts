import type { KeyObject } from 'node:crypto';

/**
 * A deeply read-only view of `T`. Functions and `KeyObject`s are kept as they are: they are shared by
 * reference, never copied or frozen.
 */
export type DeepReadonly<T> = T extends (...args: any[]) => unknown
  ? T
  : T extends KeyObject
    ? T
    : T extends readonly (infer E)[]
      ? readonly DeepReadonly<E>[]
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of plain objects and arrays, frozen at every level. Anything else (a `KeyObject`, a
 * `KeyRing`, a store, a `Date`) is kept by reference and left unfrozen: copying a key would scatter
 * secret material, and freezing a live object would break it.
 *
 * @param value - The value to copy.
 * @returns The frozen copy.
 */
export function frozenCopy<T>(value: T): DeepReadonly<T> {
  if (Array.isArray(value)) return Object.freeze(value.map((item) => frozenCopy(item))) as DeepReadonly<T>;
  if (!isPlainObject(value)) return value as DeepReadonly<T>;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a JSON `__proto__` key must stay data, never become the prototype.
    Object.defineProperty(copy, key, {
      value: frozenCopy(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return Object.freeze(copy) as DeepReadonly<T>;
}
