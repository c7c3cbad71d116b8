import { BadRequest } from '@org/core';
import { getPath, isDotPath, setPath } from './dot-path.ts';
import { PasswordHasher } from './password-hasher.ts';

/** Options of {@link hashPassword}. */
export interface HashPasswordOptions {
  /**
   * What hashes the password; pass your `LocalStrategy`'s `hasher` so both use the same parameters.
   * @defaultValue a shared `new PasswordHasher()` with the default parameters
   */
  hasher?: Pick<PasswordHasher, 'hash'> & Partial<Pick<PasswordHasher, 'maxPasswordLength'>>;
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
  [key: string]: unknown;
}

/**
 * Hashes a password field before it is stored; callable as a Feathers `before`/`around` hook or directly.
 * @see {@link hashPassword}
 */
export interface HashPassword {
  /**
   * Feathers hook: replaces `context.data` with a copy whose field is hashed.
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
}

let sharedHasher: PasswordHasher | undefined;

/**
 * Builds a helper that hashes the password field of data before `create` or `patch`, like Feathers'
 * `hashPassword` hook, with a memory-hard KDF (see {@link PasswordHasher}). Dot paths work.
 *
 * @param field - The (dot path of the) password field, e.g. `'password'` or `'auth.password'`.
 * @param options - The hasher and the longest password accepted.
 * @throws BadRequest (`invalid-configuration`) when `field` is missing:
 * `The hashPassword hook requires a field name option`.
 * @example
 * ```ts
 * const hash = hashPassword('password', { hasher: local.hasher });
 * await users.create(await hash.data({ email, password }));           // plain service
 * app.service('users').hooks({ before: { create: [hash], patch: [hash] } }); // Feathers
 * ```
 */
export function hashPassword(field: string, options: HashPasswordOptions = {}): HashPassword {
  if (!isDotPath(field)) {
    throw new BadRequest('The hashPassword hook requires a field name option', {
      reason: 'invalid-configuration',
    });
  }
  const hasher = options.hasher ?? (sharedHasher ??= new PasswordHasher());
  const maxLength = options.maxLength ?? hasher.maxPasswordLength ?? 1024;

  const one = async (record: unknown): Promise<unknown> => {
    const password = getPath(record, field);
    if (password === undefined) return record;
    if (typeof password !== 'string' || password.length > maxLength) {
      throw new BadRequest(`'${field}' must be a string of at most ${maxLength} characters`, {
        reason: 'invalid-credentials-format',
      });
    }
    return setPath(record, field, await hasher.hash(password));
  };

  const data = async <T>(value: T): Promise<T> =>
    (Array.isArray(value) ? await Promise.all(value.map(one)) : await one(value)) as T;

  const hook = async (context: HashPasswordContext, next?: () => Promise<unknown>): Promise<void> => {
    if (context.data !== undefined) context.data = await data(context.data);
    if (typeof next === 'function') await next();
  };

  return Object.assign(hook, { data });
}
