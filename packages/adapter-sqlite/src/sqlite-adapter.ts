import type { PaginateOptions } from '@org/core';
import { SqliteService, type SqliteAdapterOptions } from './sqlite-service.ts';

/**
 * Opens (or creates) a SQLite-backed entity store ({@link SqliteService}); the table is created or
 * migrated right away, so a bad file fails here rather than on the first request.
 *
 * @param options - File, table, id field and type, unique fields.
 * @returns The service; call `close()` on shutdown.
 * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
 * @throws Unavailable (`store-unavailable`) when the file cannot be opened, is not a database, or is not writable.
 * @example
 * ```ts
 * import { sqliteAdapter } from '@org/adapter-sqlite';
 *
 * const users = sqliteAdapter({ filename: 'data/app.db', table: 'users', uniqueFields: ['email'] });
 * await users.create({ email: 'ada@example.com', password: hash });
 * ```
 */
export function sqliteAdapter<T extends Record<string, any> = Record<string, any>>(
  options: SqliteAdapterOptions & { paginate: PaginateOptions },
): SqliteService<T, true>;
export function sqliteAdapter<T extends Record<string, any> = Record<string, any>>(
  options: SqliteAdapterOptions,
): SqliteService<T>;
export function sqliteAdapter<T extends Record<string, any> = Record<string, any>>(
  options: SqliteAdapterOptions,
): SqliteService<T, boolean> {
  return new SqliteService<T, boolean>(options);
}
