import type { Params } from './entity-service.ts';

/** Where each standard service method takes its params; a custom method is `(data, params)`, as in Feathers. */
export const SERVICE_PARAMS_POSITION: Readonly<Record<string, number>> = Object.freeze({
  find: 0,
  get: 1,
  create: 1,
  update: 2,
  patch: 2,
  remove: 1,
});

/** The standard service methods, in Feathers' order. */
export const SERVICE_METHODS: readonly string[] = Object.freeze(Object.keys(SERVICE_PARAMS_POSITION));

/**
 * The params of a service method call, found at the method's params position.
 *
 * @param method - The method name.
 * @param args - The call's arguments.
 * @returns The position and the params there (`{}` when absent).
 */
export function serviceCallParams(
  method: string,
  args: readonly unknown[],
): { position: number; params: Params } {
  const position = SERVICE_PARAMS_POSITION[method] ?? 1;
  return { position, params: (args[position] ?? {}) as Params };
}

/**
 * Wraps chosen methods of a service object, Feathers' `around` hooks without Feathers: a proxy whose
 * listed methods are replaced by `wrap(name, original)`, while every other property, event method and
 * custom method reaches the service untouched (bound to the service itself, so class instances with
 * `#private` fields keep working). A method replaced on the service later (a spy, a patch) is wrapped anew.
 *
 * @param service - The service to wrap.
 * @param methods - The method names to wrap.
 * @param wrap - Builds the replacement of one method; `original` is bound to the service.
 * @returns The proxy, typed as the service.
 * @example
 * ```ts
 * const logged = wrapService(users, ['get'], (name, original) => async (...args) => {
 *   console.log(name);
 *   return original(...args);
 * });
 * ```
 */
export function wrapService<S extends object>(
  service: S,
  methods: Iterable<string>,
  wrap: (name: string, original: (...args: unknown[]) => Promise<unknown>) => (...args: unknown[]) => unknown,
): S {
  const wrapped = new Set(methods);
  const cache = new Map<PropertyKey, { original: unknown; replacement: unknown }>();
  return new Proxy(service, {
    get(target, property) {
      // Read from the target itself: a getter or method using #private fields breaks with the proxy as `this`.
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      const cached = cache.get(property);
      if (cached?.original === value) return cached.replacement;
      const bound = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      const replacement =
        typeof property === 'string' && wrapped.has(property) ? wrap(property, bound) : bound;
      cache.set(property, { original: value, replacement });
      return replacement;
    },
  });
}
