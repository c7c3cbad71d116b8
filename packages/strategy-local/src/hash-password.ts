import { BadRequest, type EntityService, type Params } from '@org/core';
import { serviceCallParams, wrapService } from '@org/core/internal';
import { bcryptCost } from './bcrypt-hash.ts';
import { getPath, isDotPath, setPath } from './dot-path.ts';
import { PasswordHasher } from './password-hasher.ts';
import { parseScryptHash } from './scrypt-hash.ts';

/**
 * The params flag on the `LocalStrategy`'s own upgrade write (`patch` after a login replaced an old hash):
 * its data already holds the new hash, so {@link hashPassword} stores it as it is instead of hashing the
 * hash (which would lock the user out). Honoured only for internal calls whose value is a hash.
 */
export const PASSWORD_UPGRADE_PARAM = 'passwordUpgrade';

/** What {@link hashPassword} needs of a hasher: `hash`, and `maxPasswordLength` when it has one. */
export type HashPasswordHasher = Pick<PasswordHasher, 'hash'> &
  Partial<Pick<PasswordHasher, 'maxPasswordLength'>>;

/** Options of {@link hashPassword}. */
export interface HashPasswordOptions {
  /**
   * The strategy whose hasher (and `maxPasswordLength`) to use, read on each call: pass it when the
   * service is wrapped before the strategy is registered (`.service()` wiring).
   */
  strategy?: { readonly hasher: HashPasswordHasher };
  /**
   * What hashes the password; pass your `LocalStrategy`'s `hasher` so both use the same parameters.
   * @defaultValue the `strategy`'s hasher, else a shared `new PasswordHasher()` with the default parameters
   */
  hasher?: HashPasswordHasher;
  /**
   * The longest password accepted, in characters.
   * @defaultValue the hasher's `maxPasswordLength` (a `LocalStrategy`'s hasher carries the strategy's
   *   `maxPasswordLength`, so no one signs up with a password the login would refuse), else 1024
   */
  maxLength?: number;
}

/** The parts of a Feathers hook context that {@link hashPassword} reads and writes. */
export interface HashPasswordContext {
  /** The data of `create`, `update` or `patch` (one record or an array). */
  data?: unknown;
  /** The call parameters; the strategy's upgrade write carries {@link PASSWORD_UPGRADE_PARAM}. */
  params?: Params;
  [key: string]: unknown;
}

/**
 * Hashes a password field before it is stored; callable as a Feathers `before`/`around` hook, directly,
 * or as a wrapper around an entity service.
 * @see {@link hashPassword}
 */
export interface HashPassword {
  /**
   * Feathers hook: replaces `context.data` with a copy whose field is hashed (except on the strategy's
   * own upgrade write, which already holds a hash).
   * @param context - The hook context.
   * @param next - The next hook (around hooks), called after hashing.
   */
  (context: HashPasswordContext, next?: () => Promise<unknown>): Promise<void>;
  /**
   * A copy of `data` (one record or an array of records) whose field holds the hash instead of the
   * password; records without the field are returned as they are.
   * @param data - What will be passed to `create` or `patch`.
   * @throws BadRequest (`invalid-credentials-format`) when the field is not a string of at most `maxLength` characters.
   */
  data<T>(data: T): Promise<T>;
  /**
   * The service with the hook on `create`, `update` and `patch`, without Feathers: their data is hashed
   * before it reaches the service, except the `LocalStrategy`'s own upgrade write (so a login that
   * upgrades a hash stores it exactly once). Everything else reaches the service as it is.
   * @param service - The entity service to wrap.
   * @returns The wrapped service, with the same type.
   * @example
   * ```ts
   * const local = new LocalStrategy();
   * const users = protect('password').service(hashPassword('password', { strategy: local }).service(store));
   * const auth = new AuthenticationService(settings, { services: { users } });
   * auth.register('local', local);
   * await users.create({ email, password }, { provider: 'rest' }); // stored hashed, returned without it
   * ```
   */
  service<S extends EntityService<any>>(service: S): S;
}

const DATA_POSITION: Readonly<Record<string, number>> = { create: 0, update: 1, patch: 1 };

let sharedHasher: PasswordHasher | undefined;

function isHash(value: unknown): boolean {
  return (
    typeof value === 'string' && (parseScryptHash(value) !== undefined || bcryptCost(value) !== undefined)
  );
}

/**
 * Builds a helper that hashes the password field of data before `create`, `update` or `patch`, like
 * Feathers' `hashPassword` hook, with a memory-hard KDF (see {@link PasswordHasher}). Dot paths work.
 *
 * @param field - The (dot path of the) password field, e.g. `'password'` or `'auth.password'`.
 * @param options - The strategy or hasher, and the longest password accepted.
 * @throws BadRequest (`invalid-configuration`) when `field` is missing:
 * `The hashPassword hook requires a field name option`.
 * @example
 * ```ts
 * const hash = hashPassword('password', { strategy: local });
 * const users = hash.service(store);                                         // plain service
 * await users.create({ email, password });
 * app.service('users').hooks({ before: { create: [hash], update: [hash], patch: [hash] } }); // Feathers
 * ```
 */
export function hashPassword(field: string, options: HashPasswordOptions = {}): HashPassword {
  if (!isDotPath(field)) {
    throw new BadRequest('The hashPassword hook requires a field name option', {
      reason: 'invalid-configuration',
    });
  }
  const hasherNow = (): HashPasswordHasher =>
    options.strategy?.hasher ?? options.hasher ?? (sharedHasher ??= new PasswordHasher());

  const one = async (record: unknown, hasher: HashPasswordHasher): Promise<unknown> => {
    const password = getPath(record, field);
    if (password === undefined) return record;
    const maxLength = options.maxLength ?? hasher.maxPasswordLength ?? 1024;
    if (typeof password !== 'string' || password.length > maxLength) {
      throw new BadRequest(`'${field}' must be a string of at most ${maxLength} characters`, {
        reason: 'invalid-credentials-format',
      });
    }
    return setPath(record, field, await hasher.hash(password));
  };

  const data = async <T>(value: T): Promise<T> => {
    const hasher = hasherNow();
    return (
      Array.isArray(value) ? await Promise.all(value.map((r) => one(r, hasher))) : await one(value, hasher)
    ) as T;
  };

  // The strategy's upgrade write already holds a hash: hashing it again would store a hash of a hash.
  const isUpgradeWrite = (value: unknown, params: Params | undefined): boolean =>
    params?.[PASSWORD_UPGRADE_PARAM] === true && !params.provider && isHash(getPath(value, field));

  const hook = async (context: HashPasswordContext, next?: () => Promise<unknown>): Promise<void> => {
    if (context.data !== undefined && !isUpgradeWrite(context.data, context.params)) {
      context.data = await data(context.data);
    }
    if (typeof next === 'function') await next();
  };

  const service = <S extends EntityService<any>>(target: S): S =>
    wrapService(target, Object.keys(DATA_POSITION), (method, original) => async (...args) => {
      const position = DATA_POSITION[method]!;
      const { params } = serviceCallParams(method, args);
      const call = [...args];
      if (!isUpgradeWrite(call[position], params)) call[position] = await data(call[position]);
      return original(...call);
    });

  return Object.assign(hook, { data, service });
}
