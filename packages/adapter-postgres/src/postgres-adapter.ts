import type { PaginateOptions } from '@org/core';
import { PostgresService, type PostgresAdapterOptions } from './postgres-service.ts';

/**
 * Creates a PostgreSQL-backed entity store ({@link PostgresService}). The table is created or migrated
 * by `start()` or on the first call; a database that is down gives `Unavailable` (503) until it is back.
 *
 * @param options - Pool or connection string, table, schema, id field and type, unique fields.
 * @returns The service; `await service.start()` at boot to fail fast, `close()` on shutdown.
 * @throws BadRequest (`invalid-configuration`) for an unknown option or an invalid value.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgresAdapter } from '@org/adapter-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const users = postgresAdapter({ pool, table: 'users', uniqueFields: ['email'] });
 * await users.start();
 * await users.create({ email: 'ada@example.com', password: hash });
 * ```
 */
export function postgresAdapter<T extends Record<string, any> = Record<string, any>>(
  options: PostgresAdapterOptions & { paginate: PaginateOptions },
): PostgresService<T, true>;
export function postgresAdapter<T extends Record<string, any> = Record<string, any>>(
  options: PostgresAdapterOptions,
): PostgresService<T>;
export function postgresAdapter<T extends Record<string, any> = Record<string, any>>(
  options: PostgresAdapterOptions,
): PostgresService<T, boolean> {
  return new PostgresService<T, boolean>(options);
}
