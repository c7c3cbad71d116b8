import { assertKnownOptions, configError } from '@org/core/internal';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterSettings, RateLimitStore } from './rate-limit-store.ts';

/** The part of a `pg` `Pool` the store uses. */
export interface PostgresPoolLike {
  /** Runs a query (`Pool#query`). */
  query(...args: any[]): Promise<unknown>;
}

/** Options of {@link postgresRateLimitStore}. */
export interface PostgresRateLimitStoreOptions {
  /** A `pg` `Pool`; the store never ends it. */
  pool: PostgresPoolLike;
  /**
   * The table, created if missing (`key varchar(255) primary key, points integer, expire bigint`); both
   * limiters share it under their key prefixes.
   * @defaultValue `'org_login_limits'`
   */
  tableName?: string;
  /** The schema of the table; the connection's `search_path` when not given. */
  schemaName?: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/**
 * unique_violation (on pg_type), duplicate_table and duplicate_object (`type ... already exists`): what a
 * concurrent CREATE TABLE IF NOT EXISTS raises, depending on where the two creations cross.
 */
const RACE_CODES: ReadonlySet<unknown> = new Set(['23505', '42P07', '42710']);

/**
 * Counters in a PostgreSQL table, shared by every instance (one atomic upsert per counted attempt); for
 * deployments that have Postgres and no Redis. Rows expire by time and are swept every five minutes.
 * While Postgres is unreachable, each instance counts in its own memory (`rate-limiter-flexible`'s
 * insurance limiter).
 *
 * @param options - The pool, table and schema.
 * @returns The store.
 * @throws BadRequest `invalid-configuration` without a pool, or for a table or schema name that is not a
 *   plain lower-case SQL identifier.
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = postgresRateLimitStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * createHttpTransport(auth, { rateLimit: { store } });
 * ```
 */
export function postgresRateLimitStore(options: PostgresRateLimitStoreOptions): RateLimitStore {
  assertKnownOptions(options ?? {}, ['pool', 'tableName', 'schemaName'], 'postgresRateLimitStore()');
  const {
    pool,
    tableName = 'org_login_limits',
    schemaName,
  } = options ?? ({} as PostgresRateLimitStoreOptions);
  if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function') {
    throw configError('postgresRateLimitStore() needs { pool }: a pg Pool');
  }
  for (const [label, name] of [
    ['tableName', tableName],
    ['schemaName', schemaName],
  ] as const) {
    if (name !== undefined && !NAME.test(name)) {
      throw configError(`postgresRateLimitStore(): ${label} must be a lower-case SQL identifier`);
    }
  }
  const create = (settings: LimiterSettings, tableCreated: boolean) =>
    new Promise<RateLimiterAbstract>((resolve, reject) => {
      const limiter: RateLimiterPostgres = new RateLimiterPostgres(
        {
          ...settings,
          storeClient: pool,
          storeType: 'pool',
          tableName,
          tableCreated,
          ...(schemaName === undefined ? {} : { schemaName }),
          insuranceLimiter: new RateLimiterMemory(settings),
        },
        // Called once the table exists (synchronously when told it does, hence the microtask); without
        // it a failed CREATE TABLE is an unhandled rejection.
        (error?: unknown) => queueMicrotask(() => (error ? reject(error) : resolve(limiter))),
      );
    });
  return {
    limiter: (settings: LimiterSettings) =>
      create(settings, false).catch((error: unknown) => {
        // Instances starting together race on CREATE TABLE IF NOT EXISTS; the loser sees the winner's table.
        if (!RACE_CODES.has((error as { code?: unknown }).code)) throw error;
        return create(settings, true);
      }),
  };
}
