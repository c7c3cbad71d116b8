import { type EntityService } from '@org/core';
import { SERVICE_METHODS, serviceCallParams, withoutPrototypeKeys, wrapService } from '@org/core/internal';
import { omitPath } from './dot-path.ts';

/** The parts of a Feathers hook context that {@link protect} reads and writes. */
export interface ProtectContext {
  /** The service method; a `{ data }` page is only unwrapped for `find`. */
  method?: string;
  /** The method result. */
  result?: unknown;
  /** The result sent to external clients (Feathers 5); preferred over `result` when set. */
  dispatch?: unknown;
  /** The call parameters; `provider` is set for external calls. */
  params?: { provider?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Removes fields from results; callable as a Feathers hook (`around` or `after`), directly, or as a
 * wrapper around an entity service.
 * @see {@link protect}
 */
export interface Protect {
  /**
   * Feathers hook: sets `context.dispatch` to the protected result, and `context.result` too for an
   * external call (`params.provider` set), as Feathers' own `protect` hook does.
   * @param context - The hook context.
   * @param next - The next hook (around hooks); awaited first.
   */
  (context: ProtectContext, next?: () => Promise<unknown>): Promise<void>;
  /**
   * A copy of `value` without the fields: a record, an array of records, a page (`{ data, total?,
   * limit?, skip? }`) or an authentication result (fields removed from its entity).
   * @param value - What a service or the authentication service returned.
   */
  result<T>(value: T): T;
  /**
   * The service with Feathers' `protect` hook on all its methods, without Feathers: the results of
   * `get`, `find`, `create`, `update`, `patch` and `remove` lose the fields for an external call
   * (`params.provider` set) and are returned untouched for an internal one, so the `LocalStrategy`'s
   * own lookup still sees the password hash while the JWT strategy (which re-fetches the entity with the
   * caller's params) and the guard's `req.user` never carry it. The `id`, the events (`on`/`off`), custom
   * methods and every other property reach the service as they are. Neither the service nor its records
   * are modified.
   * @param service - The entity service to protect (an `EntityService`, a Feathers service...).
   * @returns The protected service, with the same type.
   * @example
   * ```ts
   * const users = protect('password').service(memoryAdapter({ uniqueFields: ['email'] }));
   * const auth = new AuthenticationService(settings, { services: { users } });
   * await users.get(id);                       // internal: { id, email, password }
   * await users.get(id, { provider: 'rest' }); // external: { id, email }
   * ```
   */
  service<S extends EntityService<any>>(service: S): S;
}

const PAGE_KEYS = new Set(['data', 'total', 'limit', 'skip']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds a helper that strips fields (dot paths work: `'auth.password'`) from whatever leaves the
 * server, so a password hash is never sent: single records (their `toJSON()` when they have one),
 * arrays (only their objects), Feathers' paginated `{ data }` and the entity of an authentication
 * result (`{ accessToken, authentication, user }` loses `user.password`). The input is never mutated.
 *
 * @param fields - The fields to remove.
 * @example
 * ```ts
 * const hidePassword = protect('password');
 * const users = hidePassword.service(memoryAdapter());           // plain service: external calls stripped
 * res.json(hidePassword.result(await store.get(id)));            // any value, directly
 * app.service('users').hooks({ around: { all: [hidePassword] } }); // Feathers
 * ```
 */
export function protect(...fields: string[]): Protect {
  // Every record is copied through withoutPrototypeKeys: a stored `__proto__` key is dropped, never
  // assigned, so it cannot become the prototype of `req.user` (invariant 11).
  const record = (value: unknown): unknown => {
    if (!isObject(value)) return value;
    const data = typeof value.toJSON === 'function' ? (value.toJSON as () => unknown)() : value;
    return fields.reduce<unknown>((current, field) => omitPath(current, field), withoutPrototypeKeys(data));
  };

  const strip = (value: unknown, isPage: (value: Record<string, unknown>) => boolean): unknown => {
    if (Array.isArray(value)) return value.map(record);
    if (!isObject(value)) return value;
    if (Array.isArray(value.data) && isPage(value)) {
      return { ...withoutPrototypeKeys({ ...value, data: [] }), data: value.data.map(record) };
    }
    if (isObject(value.authentication)) {
      // An authentication result: the entity sits beside `authentication` under its configured name.
      const top = record(value) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(top).map(([key, member]) => [key, key === 'authentication' ? member : record(member)]),
      );
    }
    return record(value);
  };

  const hook = async (context: ProtectContext, next?: () => Promise<unknown>): Promise<void> => {
    if (typeof next === 'function') await next();
    const result = context.dispatch ?? context.result;
    if (!result) return;
    context.dispatch = strip(result, () => context.method === 'find');
    if (context.params?.provider) context.result = context.dispatch;
  };

  const result = <T>(value: T): T =>
    strip(value, (page) => Object.keys(page).every((key) => PAGE_KEYS.has(key))) as T;

  const service = <S extends EntityService<any>>(target: S): S =>
    wrapService(target, SERVICE_METHODS, (method, original) => async (...args) => {
      const value = await original(...args);
      return serviceCallParams(method, args).params.provider ? strip(value, () => method === 'find') : value;
    });

  return Object.assign(hook, { result, service });
}
